// Who may do what over MQTT, through the policy hooks the hub composes (hub.ts),
// called in memory as the broker calls them: no sockets. The accounts are a real
// accounts.sqlite in a temporary folder, the throttle the hub's own. Each refusal
// is pinned by its stable code and its MQTT 5 reason code; the broker maps the
// reason code for 3.1.1 clients (CONNACK return code, SUBACK 0x80, closing on a
// refused PUBLISH [MQTT-3.3.5-2]).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { after, before, describe, it } from "node:test";
import type { AccountStore } from "../lib/auth/account-store";
import { openSqliteAccountStore } from "../lib/auth/sqlite-account-store";
import { createLoginThrottle } from "../lib/auth/login-throttle";
import { ALL_TOPICS, type AnonymousTopics, type Principal } from "../lib/auth/roles";
import type { AnonymousMqtt } from "../lib/config";
import type { Logger } from "../lib/log";
import { createAuthenticate, INTERNAL_USER } from "./authenticate";
import { createAuthorizePublish } from "./authorize-publish";
import { createAuthorizeSubscribe } from "./authorize-subscribe";
import { createLimits } from "./limits";
import type { BrokerHook, ClientInfo, Refusal } from "./mqtt/hooks";
import { connackReturnCode311 } from "./mqtt/reason-codes";
import type { StoredSubscription } from "./mqtt/store";
import { createPrincipals } from "./principals";
import { createSessionGate } from "./session-gate";
import { rawConnected } from "./mqtt/test-clients";
import { startTestBroker } from "./mqtt/test-server";

const INTERNAL_PASSWORD = "per-process-secret";
const LAN = "198.18.0.2";
const LOOPBACK = "127.0.0.1";

const lines: string[] = [];
const log: Logger = {
  debug: () => {},
  info: () => {},
  warn: (m, f) => lines.push(`${m} ${JSON.stringify(f)}`),
  error: (m, f) => lines.push(`${m} ${JSON.stringify(f)}`),
};

let dir: string;
let accounts: AccountStore;
let devicePassword: string;
const principals = createPrincipals();
let gate: ReturnType<typeof createSessionGate>;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "hearth-policy-"));
  accounts = openSqliteAccountStore(path.join(dir, "accounts.sqlite"));
  devicePassword = (await accounts.createDevice("kitchen-sensor", ["home/kitchen/#"])).password;
  gate = createSessionGate({ accounts, principals, log });
});
after(async () => {
  gate.stop();
  await accounts.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The hub's policy, composed as hub.ts composes it; the first refusal wins, as in the broker. */
function policy(opts: { anonymous?: AnonymousMqtt; anonymousTopics?: AnonymousTopics; trustedProxies?: readonly string[]; anonymousWebSocket?: boolean } = {}) {
  const hooks: BrokerHook<Principal>[] = [
    principals,
    createAuthenticate({
      accounts,
      anonymous: opts.anonymous ?? "loopback",
      anonymousTopics: opts.anonymousTopics ?? ALL_TOPICS,
      principals,
      log,
      throttle: createLoginThrottle(),
      internalPassword: INTERNAL_PASSWORD,
      trustedProxies: opts.trustedProxies,
      anonymousWebSocket: opts.anonymousWebSocket,
    }),
    createAuthorizePublish({ log, isDeviceCommand: (topic) => topic === "zigbee2mqtt/hallway_plug/set" }),
    createAuthorizeSubscribe({ log }),
  ];
  const first = <T,>(ask: (hook: BrokerHook<Principal>) => T | null | undefined): T | null => {
    for (const hook of hooks) {
      const answer = ask(hook);
      if (answer) return answer;
    }
    return null;
  };
  return {
    hooks,
    async connect(asked: Who | Promise<Who>, protocolVersion: 4 | 5): Promise<ClientInfo<Principal> | Refusal> {
      const who = await asked;
      const connecting = { connectionId: ++connections, clientId: `c${connections}`, protocolVersion, username: who.username, remoteAddress: who.address, req: who.req };
      const authenticate = hooks.find((h) => h.authenticate)!.authenticate!;
      const result = await authenticate(connecting, { username: who.username, password: who.password === undefined ? undefined : Buffer.from(who.password) });
      if (!result.ok) return result.refusal;
      return { ...connecting, principal: result.principal, close: () => {} };
    },
    publish: (client: ClientInfo<Principal>, topic: string) =>
      first((h) => h.authorizePublish?.(client, { topic, qos: 1, retain: false, payloadBytes: 2 })),
    subscribe: (client: ClientInfo<Principal>, filter: string) => first((h) => h.authorizeSubscribe?.(client, subscription(filter), 0)),
  };
}
let connections = 0;

const subscription = (filter: string): StoredSubscription => ({
  filter,
  qos: 1,
  noLocal: false,
  retainAsPublished: false,
  retainHandling: 0,
  subscriptionId: null,
});

type Who = { username?: string; password?: string; address: string; req?: IncomingMessage };

/** A /mqtt upgrade whose session cookie session-gate.ts accepted for this role. */
function browser(role: "viewer" | "operator" | "admin"): Who {
  const req = { socket: { remoteAddress: LOOPBACK }, headers: {} } as unknown as IncomingMessage;
  principals.bindRequest(req, { kind: "user", username: role, role, sessionId: `session-${role}` });
  return { address: LOOPBACK, req };
}

/** A same-origin /mqtt upgrade with an Origin and no cookie, as session-gate.ts lets it through: a signed-out hub page, or Home Assistant's paho-mqtt over WebSocket. */
async function sessionless(credentials: { username?: string; password?: string } = {}): Promise<Who> {
  const req = { socket: { remoteAddress: LOOPBACK }, headers: { origin: "http://hub.local:3000", host: "hub.local:3000" } } as unknown as IncomingMessage;
  assert.deepEqual(await gate.checkUpgrade(req), { ok: true });
  return { ...credentials, address: LOOPBACK, req };
}

const who: Record<string, () => Who | Promise<Who>> = {
  "anonymous from loopback": () => ({ address: LOOPBACK }),
  "anonymous from another machine": () => ({ address: LAN }),
  "anonymous over IPv4-mapped loopback": () => ({ address: `::ffff:${LOOPBACK}` }),
  device: () => ({ username: "kitchen-sensor", password: devicePassword, address: LAN }),
  "wrong password": () => ({ username: "kitchen-sensor", password: "guess", address: LAN }),
  "unknown device": () => ({ username: "no-such-device", password: "guess", address: LAN }),
  viewer: () => browser("viewer"),
  operator: () => browser("operator"),
  admin: () => browser("admin"),
  "internal user": () => ({ username: INTERNAL_USER, password: INTERNAL_PASSWORD, address: LOOPBACK }),
  "internal user from another machine": () => ({ username: INTERNAL_USER, password: INTERNAL_PASSWORD, address: LAN }),
  "anonymous page without a session, on loopback": () => sessionless(),
  "device account over WebSocket with an Origin (Home Assistant's paho)": () => sessionless({ username: "kitchen-sensor", password: devicePassword }),
  "internal user from a page without a session": () => sessionless({ username: INTERNAL_USER, password: INTERNAL_PASSWORD }),
  // A reverse proxy on this machine (README "Behind a reverse proxy") connects from loopback for every stranger (review-8 F1).
  ...Object.fromEntries(
    [
      ["X-Forwarded-For", { "x-forwarded-for": "203.0.113.9" }],
      ["Forwarded", { forwarded: "for=203.0.113.9" }],
      ["Via", { via: "1.1 caddy" }],
      ["X-Ingress-Path", { "x-ingress-path": "/api/hassio_ingress/abc" }],
    ].map(([name, headers]) => [`anonymous through a reverse proxy on this machine (${name as string})`, () => proxied(headers as Record<string, string>)]),
  ),
  // nginx's default proxy_pass adds no forwarding header: its upgrade is a local program's (review-9 F2).
  "anonymous over /mqtt from loopback (a local program, or a proxy that adds no header)": () => proxied({}),
  "internal user through a reverse proxy": () => proxied({ "x-forwarded-for": "203.0.113.9" }, { username: INTERNAL_USER, password: INTERNAL_PASSWORD }),
  "device account through a reverse proxy": () => proxied({ "x-forwarded-for": "203.0.113.9" }, { username: "kitchen-sensor", password: devicePassword }),
};

/** A program's /mqtt upgrade (no Origin, no cookie) that a proxy on this machine forwarded. */
async function proxied(headers: Record<string, string>, credentials: { username?: string; password?: string } = {}): Promise<Who> {
  const req = { socket: { remoteAddress: LOOPBACK }, headers: { host: "hub.example", ...headers } } as unknown as IncomingMessage;
  assert.deepEqual(await gate.checkUpgrade(req), { ok: true });
  return { ...credentials, address: LOOPBACK, req };
}

/** What a refusal says: `code/0xNN`; null when allowed. */
const said = (refusal: Refusal | null) => (refusal === null ? null : `${refusal.code}/0x${refusal.reasonCode.toString(16)}`);

// [who, connect, publish home/kitchen/temperature, publish home/attic/lamp/set, publish hearth/alerts/frost,
//  publish zigbee2mqtt/hallway_plug/set, publish $SYS/broker/x, subscribe home/#, subscribe home/kitchen/#]
type Row = [string, string | null, ...(string | null)[]];
const DENY_PUB = "publish-denied/0x87";
const DENY_SUB = "subscribe-denied/0x87";
const SYS = "sys-topic/0x87";
const table: Row[] = [
  ["anonymous from loopback", null, null, null, null, null, SYS, null, null],
  ["anonymous over IPv4-mapped loopback", null, null, null, null, null, SYS, null, null],
  ["anonymous from another machine", "anonymous-not-loopback/0x87"],
  ["device", null, null, DENY_PUB, DENY_PUB, DENY_PUB, SYS, DENY_SUB, null],
  ["wrong password", "bad-credentials/0x86"],
  ["unknown device", "bad-credentials/0x86"],
  ["viewer", null, DENY_PUB, DENY_PUB, DENY_PUB, DENY_PUB, SYS, null, null],
  ["operator", null, DENY_PUB, null, DENY_PUB, null, SYS, null, null],
  // No hearth/#: only the alert engine writes alert states (issues 12, 15).
  ["admin", null, DENY_PUB, null, DENY_PUB, null, SYS, null, null],
  ["internal user", null, null, null, null, null, SYS, null, null],
  ["internal user from another machine", "bad-credentials/0x86"],
  // Loopback trust is for programs on this machine, never for a web page (session-gate.ts).
  ["anonymous page without a session, on loopback", "anonymous-sessionless-origin/0x87"],
  ["device account over WebSocket with an Origin (Home Assistant's paho)", null, null, DENY_PUB, DENY_PUB, DENY_PUB, SYS, DENY_SUB, null],
  ["internal user from a page without a session", "bad-credentials/0x86"],
  // Through a proxy the peer is the proxy: no loopback trust; a device account still gets in.
  ["anonymous through a reverse proxy on this machine (X-Forwarded-For)", "anonymous-proxied/0x87"],
  ["anonymous through a reverse proxy on this machine (Forwarded)", "anonymous-proxied/0x87"],
  ["anonymous through a reverse proxy on this machine (Via)", "anonymous-proxied/0x87"],
  ["anonymous through a reverse proxy on this machine (X-Ingress-Path)", "anonymous-proxied/0x87"],
  ["anonymous over /mqtt from loopback (a local program, or a proxy that adds no header)", "anonymous-websocket/0x87"],
  ["internal user through a reverse proxy", "bad-credentials/0x86"],
  ["device account through a reverse proxy", null, null, DENY_PUB, DENY_PUB, DENY_PUB, SYS, DENY_SUB, null],
];
const ACTIONS = [
  ["publish", "home/kitchen/temperature"],
  ["publish", "home/attic/lamp/set"],
  ["publish", "hearth/alerts/frost"],
  ["publish", "zigbee2mqtt/hallway_plug/set"],
  ["publish", "$SYS/broker/uptime"],
  ["subscribe", "home/#"],
  ["subscribe", "home/kitchen/#"],
] as const;

for (const protocolVersion of [4, 5] as const) {
  describe(`who may do what, MQTT ${protocolVersion === 4 ? "3.1.1" : "5"}`, () => {
    for (const [name, connect, ...actions] of table) {
      it(name, async () => {
        const hub = policy();
        const client = await hub.connect(who[name](), protocolVersion);
        if ("code" in client) {
          assert.equal(said(client), connect);
          return;
        }
        assert.equal(connect, null, `${name} connects`);
        const got = ACTIONS.map(([kind, topic]) => said(kind === "publish" ? hub.publish(client, topic) : hub.subscribe(client, topic)));
        assert.deepEqual(got, actions);
      });
    }
  });
}

describe("what a 3.1.1 client hears for a refused CONNECT (its CONNACK return code, §3.2.2.3)", () => {
  const table: [who: string, returnCode: number][] = [
    ["wrong password", 4], // bad user name or password
    ["unknown device", 4],
    ["anonymous from another machine", 5], // not authorized
  ];
  for (const [name, returnCode] of table) {
    it(`${name}: ${returnCode}`, async () => {
      const refusal = (await policy().connect(who[name](), 4)) as Refusal;
      assert.equal(connackReturnCode311(refusal.reasonCode), returnCode);
    });
  }
  it("throttled: 5", async () => {
    const hub = policy();
    for (let i = 0; i < 5; i++) await hub.connect(who["wrong password"](), 4);
    assert.equal(connackReturnCode311(((await hub.connect(who.device(), 4)) as Refusal).reasonCode), 5);
  });
});

describe("the throttle's per-address key behind a reverse proxy (review-8 F6)", () => {
  const throughProxy = (client: string, username: string, password: string): Who => ({
    username,
    password,
    address: LOOPBACK,
    req: { socket: { remoteAddress: LOOPBACK }, headers: { host: "hub.example", "x-forwarded-for": client } } as unknown as IncomingMessage,
  });
  it("a stranger's wrong logins for made-up names through a proxy on this machine lock the stranger out, not everyone", async () => {
    const hub = policy({ trustedProxies: ["loopback"] });
    for (let i = 0; i < 21; i++) await hub.connect(throughProxy("203.0.113.9", `nobody${i}`, "guess"), 4);
    assert.equal(said((await hub.connect(throughProxy("203.0.113.9", "kitchen-sensor", devicePassword), 4)) as Refusal), "auth-throttled/0x87");
    const device = await hub.connect(throughProxy("198.51.100.7", "kitchen-sensor", devicePassword), 4);
    assert.equal("principal" in device && device.principal.kind, "device");
  });
  it("a client connecting directly cannot escape its address's allowance by writing X-Forwarded-For", async () => {
    const hub = policy({ trustedProxies: ["loopback"] });
    const direct = (i: number): Who => ({
      username: `nobody${i}`,
      password: "guess",
      address: LAN,
      req: { socket: { remoteAddress: LAN }, headers: { host: "hub.example", "x-forwarded-for": `203.0.113.${i}` } } as unknown as IncomingMessage,
    });
    for (let i = 0; i < 21; i++) await hub.connect(direct(i), 4);
    assert.equal(said((await hub.connect({ ...direct(99), username: "kitchen-sensor", password: devicePassword }, 4)) as Refusal), "auth-throttled/0x87");
  });
});

describe("the log line names the code, and says when a 3.1.1 client is closed for it [MQTT-3.3.5-2]", () => {
  for (const [protocolVersion, message] of [
    [4, "publish refused, disconnecting"],
    [5, "publish refused"],
  ] as const) {
    it(`MQTT ${protocolVersion === 4 ? "3.1.1" : "5"}`, async () => {
      const hub = policy();
      const client = (await hub.connect(who.viewer(), protocolVersion)) as ClientInfo<Principal>;
      lines.length = 0;
      hub.publish(client, "home/attic/temperature");
      assert.deepEqual(lines, [`${message} {"code":"publish-denied","client":"${client.clientId}","topic":"home/attic/temperature"}`]);
    });
  }
  it("a refused connection", async () => {
    lines.length = 0;
    await policy().connect(who["unknown device"](), 4);
    assert.match(lines[0], /^connection refused \{"code":"bad-credentials","client":"c\d+","username":"no-such-device","address":"198\.18\.0\.2"/);
  });
});

describe("anonymous clients and the config", () => {
  const restricted: AnonymousTopics = { publish: ["home/+/+/state"], subscribe: ["home/+/+/set"] };
  it("auth.anonymousTopics narrows what anonymous clients may do, and only theirs", async () => {
    const hub = policy({ anonymousTopics: restricted });
    const anonymous = (await hub.connect(who["anonymous from loopback"](), 5)) as ClientInfo<Principal>;
    assert.equal(said(hub.publish(anonymous, "home/kitchen/lamp/state")), null);
    assert.equal(said(hub.publish(anonymous, "home/kitchen/temperature")), DENY_PUB);
    assert.equal(said(hub.subscribe(anonymous, "home/kitchen/lamp/set")), null);
    assert.equal(said(hub.subscribe(anonymous, "home/#")), DENY_SUB);
    assert.equal(said(hub.subscribe(anonymous, "$share/g/home/#")), DENY_SUB, "a shared subscription is judged by its filter");
    assert.equal(said(hub.subscribe(anonymous, "$share/g/home/+/+/set")), null);
    const internal = (await hub.connect(who["internal user"](), 4)) as ClientInfo<Principal>;
    assert.equal(said(hub.publish(internal, "home/kitchen/temperature")), null, "the simulated home is not anonymous");
    assert.equal(said(hub.subscribe(internal, "home/#")), null);
  });
  // The same hooks in a real broker: what an anonymous client on this machine hears on the wire.
  it("a subscription outside auth.anonymousTopics is refused on the wire with SUBACK 0x80 (3.1.1) / 0x87 (MQTT 5), the allowed one granted", async () => {
    const broker = await startTestBroker<Principal>({ hooks: policy({ anonymousTopics: restricted }).hooks });
    try {
      for (const [protocolVersion, refused] of [[4, 0x80], [5, 0x87]] as const) {
        const c = await rawConnected(broker.port, protocolVersion);
        c.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "home/+/+/set", qos: 1 }, { topic: "home/#", qos: 1 }] });
        assert.deepEqual(((await c.next("suback")) as { granted: number[] }).granted, [1, refused]);
        c.socket.destroy();
      }
    } finally {
      await broker.close();
    }
  });
  it("HEARTH_MQTT_ANONYMOUS=all accepts them from anywhere, off from nowhere", async () => {
    assert.ok("principal" in (await policy({ anonymous: "all" }).connect(who["anonymous from another machine"](), 5)));
    assert.equal(said((await policy({ anonymous: "off" }).connect(who["anonymous from loopback"](), 5)) as Refusal), "anonymous-not-allowed/0x87");
  });
});

describe("password guessing over MQTT is throttled", () => {
  it("after five failures even the right password is refused for a while", async () => {
    const hub = policy();
    for (let i = 0; i < 5; i++) assert.equal(said((await hub.connect(who["wrong password"](), 4)) as Refusal), "bad-credentials/0x86");
    assert.equal(said((await hub.connect(who.device(), 4)) as Refusal), "auth-throttled/0x87");
  });
  it("guesses sent all at once: five passwords are checked, the rest refused unchecked (review 8, F2)", async () => {
    // The real accounts.sqlite: each check is a scrypt on the thread pool, so all 30 are
    // in flight together, as 30 CONNECTs arriving in one burst are.
    const hub = policy();
    const answers = await Promise.all(Array.from({ length: 30 }, () => hub.connect(who["wrong password"](), 4)));
    const counts: Record<string, number> = {};
    for (const answer of answers) counts[said(answer as Refusal)!] = (counts[said(answer as Refusal)!] ?? 0) + 1;
    assert.deepEqual(counts, { "bad-credentials/0x86": 5, "auth-throttled/0x87": 25 });
  });
});

describe("limits", () => {
  // Only what createLimits reads, typed so: these tests drive the hook in memory, with no
  // broker and no socket, so a connect timeout here (it was 500 ms, review-12 F12) set nothing.
  const LIMITS: Parameters<typeof createLimits>[0] = { maxConnections: 2, maxPublishesPerSecond: 3, publishBurst: 3, maxSubscriptionsPerClient: 2 };
  const paused: number[] = [];
  const client = (connectionId: number): ClientInfo<Principal> => ({
    connectionId,
    clientId: `c${connectionId}`,
    protocolVersion: 5,
    username: undefined,
    remoteAddress: LOOPBACK,
    req: undefined,
    principal: { kind: "anonymous", topics: ALL_TOPICS },
    close: () => {},
    pauseReads: (ms) => paused.push(ms),
  });

  /** A socket as the broker opens it: connected, waiting for its CONNECT until told. */
  const opening = (connectionId: number, remoteAddress: string) => {
    const stream = new PassThrough();
    const socket = { connectionId, stream, sentConnect: false };
    return { socket, opening: { connectionId, remoteAddress, req: undefined, stream, idle: () => !socket.sentConnect } };
  };
  const closeEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

  it("admits authenticated connections up to the limit, refuses the next with 0x89 (server busy), and lets it in when one closes", async () => {
    const limits = createLimits(LIMITS, log);
    const sockets = [1, 2, 3].map((id) => {
      const { socket, opening: o } = opening(id, LOOPBACK);
      assert.equal(limits.onConnectionOpen!(o), null, "opening never refuses");
      socket.sentConnect = true;
      return socket;
    });
    assert.deepEqual(
      sockets.map((s) => said(limits.admit!(client(s.connectionId)))),
      [null, null, "too-many-connections/0x89"],
    );
    sockets[2].stream.destroy();
    sockets[0].stream.destroy();
    await closeEvents();
    assert.deepEqual(limits.connections(), { waiting: 0, admitted: 1 });
    const { socket, opening: o } = opening(4, LOOPBACK);
    limits.onConnectionOpen!(o);
    socket.sentConnect = true;
    assert.equal(said(limits.admit!(client(4))), null);
  });

  it("sockets with no CONNECT wait in their own pool: past a share per address, or past the total, the oldest idle one is closed, not the new one (review 8, F11)", async () => {
    let now = 0;
    const limits = createLimits(LIMITS, log, () => now, { perAddress: 3, total: 5, graceMs: 1000, hardFactor: 4 });
    lines.length = 0;
    const stranger = Array.from({ length: 10 }, (_, i) => opening(100 + i, LAN));
    for (const s of stranger.slice(0, 9)) limits.onConnectionOpen!(s.opening);
    await closeEvents();
    assert.equal(stranger.filter((s) => s.socket.stream.destroyed).length, 0, "a burst of handshakes is not idle yet");
    now = 1000;
    limits.onConnectionOpen!(stranger[9].opening);
    await closeEvents();
    assert.deepEqual(stranger.map((s) => s.socket.stream.destroyed), [...Array(7).fill(true), false, false, false], "once idle, the stranger keeps his three newest");
    assert.equal(lines.filter((l) => l.includes('"preauth-limit"')).length, 1, "one log line for the address, not one per socket");
    assert.match(lines[0], /"code":"preauth-limit","address":"198\.18\.0\.2"/);

    // Other addresses fill the rest of the pool; past the total the oldest idle one goes, whoever's.
    now = 2000;
    const others = ["10.0.0.1", "10.0.0.2", "10.0.0.3"].map((address, i) => opening(200 + i, address));
    for (const s of others) limits.onConnectionOpen!(s.opening);
    await closeEvents();
    assert.equal(stranger[7].socket.stream.destroyed, true, "the oldest waiting socket made room");
    assert.deepEqual(limits.connections(), { waiting: 5, admitted: 0 });

    // A device on loopback connects as devices do: its CONNECT at once. It is admitted.
    const device = opening(300, LOOPBACK);
    limits.onConnectionOpen!(device.opening);
    device.socket.sentConnect = true;
    now = 3000;
    for (let i = 0; i < 10; i++) limits.onConnectionOpen!(opening(400 + i, LAN).opening); // the stranger again, meanwhile
    await closeEvents();
    assert.equal(device.socket.stream.destroyed, false, "a socket that sent its CONNECT is out of the waiting pool");
    assert.equal(said(limits.admit!(client(300))), null);
  });

  it("past the hard ceiling a burst loses its oldest even before they are idle: descriptors stay bounded", async () => {
    const limits = createLimits(LIMITS, log, () => 0, { perAddress: 3, total: 5, graceMs: 1000, hardFactor: 4 });
    const burst = Array.from({ length: 14 }, (_, i) => opening(500 + i, LAN));
    for (const s of burst) limits.onConnectionOpen!(s.opening);
    await closeEvents();
    assert.equal(burst.filter((s) => !s.socket.stream.destroyed).length, 12);
  });

  it("slows a client publishing faster than the rate (its socket rests), per connection; never refuses it (review 10, F6)", () => {
    let now = 0;
    const limits = createLimits(LIMITS, log, () => now);
    const message = { topic: "home/x/y", qos: 0 as const, retain: false, payloadBytes: 1 };
    paused.length = 0;
    const burst = Array.from({ length: 4 }, () => said(limits.authorizePublish!(client(1), message)));
    assert.deepEqual(burst, [null, null, null, null]);
    assert.deepEqual(paused, [334], "a third of a second: one token at 3 a second");
    assert.equal(said(limits.authorizePublish!(client(2), message)), null, "another connection has its own allowance");
    assert.deepEqual(paused, [334]);
    now = 1000;
    assert.equal(said(limits.authorizePublish!(client(1), message)), null, "the allowance comes back with time");
    assert.deepEqual(paused, [334]);
    limits.onDisconnected!(client(1), "client-disconnect");
  });

  it("refuses a filter past a client's subscriptions with 0x97 (quota exceeded), without disconnecting it (review 10, F7)", () => {
    const limits = createLimits(LIMITS, log);
    const refusals = [0, 1, 2].map((count) => said(limits.authorizeSubscribe!(client(1), subscription(`s/${count}`), count)));
    assert.deepEqual(refusals, [null, null, "too-many-subscriptions/0x97"]);
    assert.equal(limits.authorizeSubscribe!(client(1), subscription("s/3"), 2)?.disconnect, undefined);
  });
});

describe("browser connections by session", () => {
  it("are tracked from CONNACK to disconnect, so ending a session can close them", async () => {
    const hub = policy();
    const viewer = (await hub.connect(who.viewer(), 5)) as ClientInfo<Principal>;
    const device = (await hub.connect(who.device(), 5)) as ClientInfo<Principal>;
    principals.onConnected!(viewer);
    principals.onConnected!(device);
    assert.deepEqual([...(principals.clientsBySession().get("session-viewer") ?? [])], [viewer]);
    principals.onDisconnected!(viewer, "client-disconnect");
    assert.equal(principals.clientsBySession().has("session-viewer"), false);
  });
});

/** The refusal a connect answered, or null when it let the client in. */
const refusalOf = (answer: ClientInfo<Principal> | Refusal): Refusal | null => ("code" in answer ? answer : null);

it("auth.anonymousWebSocket lets a local program in anonymously over /mqtt, still never through a proxy that says it is one (review-9 F2)", async () => {
  const hub = policy({ anonymousWebSocket: true });
  assert.equal(said(refusalOf(await hub.connect(proxied({}), 5))), null);
  assert.equal(said(refusalOf(await hub.connect(proxied({ "x-forwarded-for": "203.0.113.9" }), 5))), "anonymous-proxied/0x87");
  assert.equal(said(refusalOf(await hub.connect({ address: LAN }, 5))), "anonymous-not-loopback/0x87");
});

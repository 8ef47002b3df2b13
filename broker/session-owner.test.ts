// A persistent session belongs to whoever made it (review-8 F7): another device account
// that CONNECTs with its client id is refused and gains nothing, the real device keeps its
// connection, queue and subscriptions; a resumed session's subscriptions are authorised
// again for the principal resuming it. Real broker on a loopback port with the hub's own
// policy hooks, real accounts.sqlite, real mqtt.js clients.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { AccountStore } from "../lib/auth/account-store";
import { openSqliteAccountStore } from "../lib/auth/sqlite-account-store";
import type { RestoredState, StoredSubscription } from "./mqtt/store";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { collect, connectClient, rawClient, until, WAIT_MS, type Received } from "./mqtt/test-clients";
import { startHubBroker, type TestHubBroker } from "./test-hub-broker";

let dir: string;
let accounts: AccountStore;
const pw: Record<string, string> = {};

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "hearth-session-owner-"));
  accounts = openSqliteAccountStore(path.join(dir, "accounts.sqlite"));
  pw.hallway = (await accounts.createDevice("hallway-sensor", ["home/hallway/#"])).password;
  pw.attic = (await accounts.createDevice("attic-sensor", ["home/attic/#"])).password;
});
after(async () => {
  await accounts.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A broker with the hub's policy hooks (hub.ts), from `initial` if given. */
const hubBroker = (lines: string[], initial?: RestoredState) => startHubBroker(accounts, lines, initial);

/** Connects, collecting from the first packet on: a resumed session's queue arrives right after CONNACK. */
async function resume(port: number, options: IClientOptions): Promise<{ client: MqttClient; got: Received[]; sessionPresent: boolean }> {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: WAIT_MS, ...options });
  const got = collect(client);
  const sessionPresent = await new Promise<boolean>((resolve, reject) => {
    client.once("connect", (connack) => resolve(connack.sessionPresent));
    client.once("error", reject);
  });
  return { client, got, sessionPresent };
}

const hallway = { username: "hallway-sensor", get password() { return pw.hallway; } };
const attic = { username: "attic-sensor", get password() { return pw.attic; } };

describe("a session belongs to the principal that made it", () => {
  let t: TestHubBroker;
  const lines: string[] = [];
  before(async () => {
    t = await hubBroker(lines);
  });
  after(() => t.close());

  it("another device account cannot resume an offline device's session: refused, and the device gets its queue", async () => {
    const hall = await connectClient(t.port, { clientId: "hallway-1", clean: false, ...hallway });
    await hall.subscribeAsync("home/hallway/#", { qos: 1 });
    await hall.endAsync();
    const op = await connectClient(t.port, { clientId: "op" });
    await op.publishAsync("home/hallway/door/set", "UNLOCK", { qos: 1 });

    for (const protocolVersion of [4, 5] as const) {
      const thief = await rawClient(t.port, protocolVersion);
      thief.send({ cmd: "connect", protocolId: "MQTT", protocolVersion, clean: false, keepalive: 0, clientId: "hallway-1", username: attic.username, password: Buffer.from(attic.password) });
      const connack = (await thief.next("connack")) as { returnCode?: number; reasonCode?: number; sessionPresent: boolean };
      // [MQTT-3.1.3-9] 3.1.1: Identifier rejected; MQTT 5: 0x85 Client Identifier not valid.
      if (protocolVersion === 4) assert.equal(connack.returnCode, 2);
      else assert.equal(connack.reasonCode, 0x85);
      assert.equal(connack.sessionPresent, false);
      await thief.closed;
      assert.equal(thief.received.filter((p) => p.cmd === "publish").length, 0, "the thief received nothing");
    }
    assert.ok(lines.some((l) => l.includes('"code":"session-owner-mismatch"') && l.includes('"owner":"device:hallway-sensor"') && l.includes('"connecting":"device:attic-sensor"')));

    const { client: back, got, sessionPresent } = await resume(t.port, { clientId: "hallway-1", clean: false, ...hallway });
    assert.equal(sessionPresent, true);
    await until(() => got.some((m) => m.topic === "home/hallway/door/set" && m.payload === "UNLOCK"), "the queued command reaches the real device");
    await back.endAsync();
    await op.endAsync();
  });

  it("nor take it over while the device is connected, clean start or not: the device stays connected", async () => {
    const hall = await connectClient(t.port, { clientId: "hallway-2", clean: false, ...hallway });
    const got = collect(hall);
    await hall.subscribeAsync("home/hallway/#", { qos: 1 });
    for (const clean of [true, false]) {
      await assert.rejects(connectClient(t.port, { clientId: "hallway-2", clean, ...attic }), /Identifier rejected/i);
    }
    const op = await connectClient(t.port, { clientId: "op2" });
    await op.publishAsync("home/hallway/alarm/set", "OFF", { qos: 1 });
    await until(() => got.some((m) => m.payload === "OFF"), "the real device, still connected, gets the command");
    assert.equal(hall.connected, true);
    await hall.endAsync();
    await op.endAsync();
  });

  it("the same account resumes its own session, and a clean session is anyone's once it ended", async () => {
    const first = await connectClient(t.port, { clientId: "attic-1", clean: false, ...attic });
    await first.endAsync();
    const again = await connectClient(t.port, { clientId: "attic-1", clean: false, ...attic });
    await again.endAsync();
    const passing = await connectClient(t.port, { clientId: "shared-id", clean: true, ...attic });
    await passing.endAsync();
    const other = await connectClient(t.port, { clientId: "shared-id", clean: true, ...hallway });
    await other.endAsync();
  });
});

const sub = (filter: string): StoredSubscription => ({ filter, qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0, subscriptionId: null });
const queued = (seq: number, topic: string) => ({
  seq,
  qos: 1 as const,
  packetId: null,
  state: "queued" as const,
  subscriptionIds: [],
  message: { topic, payload: Buffer.from(`m${seq}`), qos: 1 as const, retain: false, properties: {}, expiresAt: null, receivedAt: Date.now() },
});

describe("a resumed session's subscriptions are authorised again", () => {
  for (const [what, owner] of [
    ["stored before owners were kept (adopted by the first to resume it)", null],
    ["its own, after its topics changed", "device:attic-sensor"],
  ] as const) {
    it(`${what}: what the device may not read is dropped, with its queued copies`, async () => {
      const lines: string[] = [];
      const t = await hubBroker(lines, {
        retained: [],
        sessions: [
          {
            clientId: "old-1",
            protocolVersion: 4,
            expiryInterval: 0xffffffff,
            disconnectedAt: Date.now(),
            will: null,
            owner,
            subscriptions: [sub("home/attic/#"), sub("home/hallway/#")],
            outgoing: [queued(1, "home/hallway/door/set"), queued(2, "home/attic/heater/set")],
            inbound: [],
          },
        ],
      });
      try {
        const { client: c, got, sessionPresent } = await resume(t.port, { clientId: "old-1", clean: false, ...attic });
        assert.equal(sessionPresent, true);
        await until(() => got.length > 0, "the allowed queued copy");
        assert.deepEqual(got.map((m) => m.topic), ["home/attic/heater/set"]);
        const op = await connectClient(t.port, { clientId: "op" });
        await op.publishAsync("home/hallway/door/set", "UNLOCK", { qos: 1 });
        await op.publishAsync("home/attic/heater/set", "ON", { qos: 1 });
        await until(() => got.some((m) => m.payload === "ON"), "a new message inside its topics");
        assert.deepEqual(got.map((m) => m.topic), ["home/attic/heater/set", "home/attic/heater/set"]);
        assert.ok(lines.some((l) => l.includes('"code":"resume-subscription-dropped"') && l.includes('"filters":"home/hallway/#"') && l.includes('"messagesDropped":1')));
        await op.endAsync();
        await c.endAsync();
        // Adopted: the session is now attic-sensor's, so the hallway device cannot have it.
        await assert.rejects(connectClient(t.port, { clientId: "old-1", clean: false, ...hallway }), /Identifier rejected/i);
      } finally {
        await t.close();
      }
    });
  }
});

describe("an anonymous session protects nothing", () => {
  let t: TestHubBroker;
  const lines: string[] = [];
  before(async () => {
    t = await hubBroker(lines);
  });
  after(() => t.close());

  it("a program that connected anonymously keeps its client id when it brings a device account: the old session ends, this one starts clean (review-9 F3)", async () => {
    const op = await connectClient(t.port, { clientId: "op3" });
    for (const clean of [false, true]) {
      const clientId = `zigbee2mqtt-${clean}`;
      const anon = await connectClient(t.port, { clientId, clean: false, protocolVersion: 4 });
      await anon.subscribeAsync("home/#", { qos: 1 });
      await anon.endAsync();
      await op.publishAsync("home/attic/fan/set", `ON-${clean}`, { qos: 1 }); // queued for the anonymous session

      const { client, got, sessionPresent } = await resume(t.port, { clientId, clean, protocolVersion: 4, ...attic });
      assert.equal(sessionPresent, false, "the anonymous session is not handed to the account");
      await client.subscribeAsync("home/attic/#", { qos: 1 });
      await op.publishAsync("home/attic/fan/set", `OFF-${clean}`, { qos: 1 });
      await until(() => got.some((m) => m.payload === `OFF-${clean}`), "the device, now with its account, gets its commands");
      assert.equal(got.filter((m) => m.payload === `ON-${clean}`).length, 0, "nothing queued for the anonymous session is handed over");
      await client.endAsync();
    }
    assert.ok(lines.some((l) => l.includes('"code":"session-owner-changed"') && l.includes('"owner":"anonymous"') && l.includes('"connecting":"device:attic-sensor"')));
    // The account's persistent session is its own now: anonymous cannot take it back.
    await assert.rejects(connectClient(t.port, { clientId: "zigbee2mqtt-false", clean: true, protocolVersion: 4 }), /Identifier rejected/i);
    await op.endAsync();
  });
});

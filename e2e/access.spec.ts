// Who may do what, over real connections to a real hub: each role's browser session
// (a WebSocket carrying the login cookie, as the dashboard opens it), a device
// account and anonymous clients over TCP, and clients that must be turned away.
import { networkInterfaces } from "node:os";
import { expect, test, type Browser } from "@playwright/test";
import type { IClientOptions, MqttClient } from "mqtt";
import { ADMIN, TestHub, type Credentials } from "./hub";
import { collect, connect, expectReceived, tryConnect, tryPublish, trySubscribe, type Outcome } from "./mqtt-clients";

let hub: TestHub;
let observer: MqttClient;
let seen: ReturnType<typeof collect>;
let device: Credentials;
const sessions = new Map<string, string>();

/** The session cookie a real login in a real browser gets. */
async function sessionCookie(browser: Browser, who: Credentials): Promise<string> {
  const context = await browser.newContext();
  try {
    await hub.logIn(await context.newPage(), who);
    const cookie = (await context.cookies()).find((c) => c.name === "hearth_session");
    if (!cookie) throw new Error("no session cookie after logging in");
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe("Lax");
    return cookie.value;
  } finally {
    await context.close();
  }
}

test.beforeAll(async ({ browser }) => {
  hub = await TestHub.start();
  device = await hub.createDevice("kitchen-sensor", ["home/kitchen/#"]);
  const users: Record<string, Credentials> = {
    viewer: await hub.createUser("vera", "viewer"),
    operator: await hub.createUser("otto", "operator"),
    admin: ADMIN,
  };
  for (const [role, who] of Object.entries(users)) sessions.set(role, await sessionCookie(browser, who));
  observer = await connect(hub.mqttUrl, { clientId: "e2e-observer" });
  seen = collect(observer);
  await observer.subscribeAsync(["home/#", "hearth/#"], { qos: 1 });
});

test.afterAll(async () => {
  await observer?.endAsync();
  await hub?.dispose();
});

const wsUrl = () => `ws://127.0.0.1:${hub.port}/mqtt`;
const asBrowser = (role: string): IClientOptions => ({
  wsOptions: { headers: { Cookie: `hearth_session=${sessions.get(role)}`, Origin: hub.url } },
});

type Who = { name: string; open: () => Promise<MqttClient> };
const who: Who[] = [
  { name: "anonymous on loopback", open: () => connect(hub.mqttUrl) },
  { name: "device kitchen-sensor", open: () => connect(hub.mqttUrl, { username: device.username, password: device.password }) },
  { name: "viewer", open: () => connect(wsUrl(), asBrowser("viewer")) },
  { name: "operator", open: () => connect(wsUrl(), asBrowser("operator")) },
  { name: "admin", open: () => connect(wsUrl(), asBrowser("admin")) },
];

const A = "allowed" as const;
const R = "refused" as const;

//                                          anonymous device viewer operator admin
const PUBLISH: [topic: string, ...Outcome[]][] = [
  ["home/kitchen/lamp/set",                   A,        A,     R,     A,       A],
  ["home/attic/heater/set",                   A,        R,     R,     A,       A],
  ["home/kitchen/temperature",                A,        A,     R,     R,       R],
  ["home/attic/temperature",                  A,        R,     R,     R,       R],
  ["hearth/alerts/e2e",                       A,        R,     R,     R,       A],
];
const SUBSCRIBE: [filter: string, ...Outcome[]][] = [
  ["home/#",                                  A,        R,     A,     A,       A],
  ["home/kitchen/#",                          A,        A,     A,     A,       A],
  ["home/kitchen/lamp/set",                   A,        A,     A,     A,       A],
  ["home/attic/temperature",                  A,        R,     A,     A,       A],
];

for (const [i, { name, open }] of who.entries()) {
  test(`${name}: publishes and subscribes exactly as its role allows`, async () => {
    for (const [topic, ...expected] of PUBLISH) {
      const payload = `${name} → ${topic}`;
      const outcome = await tryPublish(open, topic, payload);
      expect(outcome, `publish ${topic}`).toBe(expected[i]);
      // An acknowledged publish reached the others; a refused one was logged with its code.
      if (outcome === "allowed") await expectReceived(seen, topic, payload);
    }
    const client = await open();
    try {
      for (const [filter, ...expected] of SUBSCRIBE) {
        expect(await trySubscribe(client, filter), `subscribe ${filter}`).toBe(expected[i]);
      }
      // A refused subscription leaves the connection up.
      expect(client.connected).toBe(true);
    } finally {
      await client.endAsync(true);
    }
  });
}

test("refused publishes and subscriptions are logged with their codes", async () => {
  await expect.poll(() => hub.output).toMatch(/WARN mqtt: publish refused, disconnecting code="publish-denied" client="[^"]+" topic="home\/attic\/temperature"/);
  await expect.poll(() => hub.output).toMatch(/WARN mqtt: subscription refused code="subscribe-denied" .*filter="home\/#"/);
});

test("a wrong device password is refused with 'bad username or password', and says nothing of which half", async () => {
  const wrong = await tryConnect(hub.mqttUrl, { username: device.username, password: "not-the-password" });
  expect("error" in wrong && wrong.error.code).toBe(4);
  const unknown = await tryConnect(hub.mqttUrl, { username: "no-such-device", password: device.password });
  expect("error" in unknown && unknown.error.code).toBe(4);
  await expect.poll(() => hub.output).toMatch(/WARN mqtt: connection refused code="bad-credentials" .*username="no-such-device"/);
});

test("a browser without a session, or from another site, cannot open /mqtt", async () => {
  const noSession = await tryConnect(wsUrl(), { wsOptions: { headers: { Origin: hub.url } } });
  expect("error" in noSession).toBe(true);
  const crossSite = await tryConnect(wsUrl(), {
    wsOptions: { headers: { Cookie: `hearth_session=${sessions.get("admin")}`, Origin: "http://evil.example" } },
  });
  expect("error" in crossSite).toBe(true);
  const forged = await tryConnect(wsUrl(), { wsOptions: { headers: { Cookie: "hearth_session=forged", Origin: hub.url } } });
  expect("error" in forged).toBe(true);
  await expect.poll(() => hub.output).toMatch(/WARN http: mqtt-ws: upgrade refused code="no-session"/);
  await expect.poll(() => hub.output).toMatch(/WARN http: mqtt-ws: upgrade refused code="cross-origin"/);
});

test("anonymous MQTT from another machine is refused; a device account gets in", async () => {
  const lan = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && !a.internal && a.family === "IPv4")?.address;
  test.skip(!lan, "this machine has no network address but loopback");
  // A second hub listening on the LAN address, the way HOST=0.0.0.0 serves phones and devices.
  const lanHub = await TestHub.start({ env: { HOST: lan! } });
  try {
    const url = `mqtt://${lan}:${lanHub.mqttPort}`;
    const anonymous = await tryConnect(url);
    expect("error" in anonymous && anonymous.error.code).toBe(5);
    expect(lanHub.output).toMatch(/WARN mqtt: connection refused code="anonymous-not-loopback"/);
    const creds = await lanHub.createDevice("porch-sensor", ["home/porch/#"]);
    const ok = await tryConnect(url, { username: creds.username, password: creds.password });
    expect("client" in ok).toBe(true);
    if ("client" in ok) await ok.client.endAsync();
  } finally {
    await lanHub.dispose();
  }
});

// The retained messages new subscriptions are owed (owed.ts): bounded for the whole broker
// (review-11 F5), sent as they were at the SUBSCRIBE and then the live copies, in publish
// order (review-13 F1), and kept across a restart for a persistent session (review-13 F3).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { IPublishPacket } from "mqtt-packet";
import { createMemoryStore } from "./memory-store";
import { quietLog, startTestBroker } from "./test-server";
import { collect, connectClient, rawConnected, type RawClient, until } from "./test-clients";

const ack = (c: RawClient, p: IPublishPacket) => c.send({ cmd: "puback", messageId: p.messageId! });
const shown = (p: IPublishPacket) => `${p.topic}=${p.payload.toString()}${p.retain ? "(r)" : ""}`;

type Connect = { clientId: string; clean?: boolean; properties?: { sessionExpiryInterval?: number } };

/** An MQTT 5 client with Receive Maximum 1 (one copy in flight, the rest owed) subscribed to `filters` at QoS 1, past its SUBACK. */
async function oneAtATime(port: number, connect: Connect, filters: string[]): Promise<RawClient> {
  const c = await rawConnected(port, 5, { ...connect, properties: { ...connect.properties, receiveMaximum: 1 } });
  c.send({ cmd: "subscribe", messageId: 1, subscriptions: filters.map((topic) => ({ topic, qos: 1 as const })) });
  await c.next("suback");
  return c;
}

/** Acknowledges each publish and returns them all, up to and including the first on `last`. */
async function readUntil(c: RawClient, last: string): Promise<string[]> {
  const got: string[] = [];
  for (;;) {
    const p = (await c.next("publish")) as IPublishPacket;
    got.push(shown(p));
    ack(c, p);
    if (p.topic === last) return got;
  }
}

describe("retained messages owed to new subscriptions, all sessions together (review-11 F5)", () => {
  it("200 sessions that never acknowledge, each subscribing 4 `#`-like filters over 3,000 retained configs, hold the budget; the rest is refused and logged once per subscription; others are served", async () => {
    const lines: string[] = [];
    const t = await startTestBroker({ log: quietLog(lines) }); // default budget: 500,000 owed
    const limit = 500_000;
    try {
      const configs = 3000;
      for (let i = 0; i < configs; i++) {
        await t.broker.publish({ topic: `homeassistant/sensor/${i}/config`, payload: `{"i":${i}}`, qos: 1, retain: true });
      }
      const filters = ["#", "+/#", "+/+/#", "+/+/+/#"];
      const hogs: RawClient[] = [];
      for (let n = 0; n < 200; n++) {
        // Receive Maximum 1 and no PUBACK ever: one copy in flight, every other one owed, as for a socket never read.
        hogs.push(await oneAtATime(t.port, { clientId: `hog-${n}` }, filters));
      }
      const stats = t.broker.stats();
      assert.ok(stats.owedRetained <= limit, `${stats.owedRetained} owed, over the budget of ${limit}`);
      assert.ok(stats.owedRetained > limit - 200, `the budget was used: ${stats.owedRetained}`);

      const refusals = lines.filter((l) => l.includes('"code":"retained-owed-full"')).map((l) => JSON.parse(l.slice(l.indexOf("{"))));
      const subscriptions = new Set(refusals.map((r) => `${r.client} ${r.filter}`));
      assert.equal(subscriptions.size, refusals.length, "one line per subscription");
      assert.ok(refusals.length > 600, `most of the 800 subscriptions were cut: ${refusals.length}`);
      assert.ok(refusals.every((r) => r.per === "broker" && r.limit === limit && r.matched === configs && r.sent < configs));
      const refused = refusals.reduce((sum, r) => sum + r.matched - r.sent, 0);
      assert.equal(stats.dropped.queueFull, refused, "each refused copy counted as dropped");
      // Nothing moves any more (no PUBACK comes): every copy matched is owed, refused, or arrived (one in flight per hog at most).
      const sent = () => hogs.reduce((sum, c) => sum + c.received.filter((p) => p.cmd === "publish").length, 0);
      const matched = 200 * filters.length * configs;
      await until(() => stats.owedRetained + refused + sent() === matched, `owed ${stats.owedRetained} + refused ${refused} + sent ${sent()} = ${matched}`, 30_000);
      assert.ok(sent() <= 200);

      // A well-behaved client is served: its own round trip, and live messages on a filter the budget cut.
      const page = await connectClient(t.port, { clientId: "page" });
      const seen = collect(page);
      await page.subscribeAsync(["probe/#", "homeassistant/#"], { qos: 1 });
      await page.publishAsync("probe/ping", "1", { qos: 1 });
      await page.publishAsync("homeassistant/sensor/new/config", "{}", { qos: 1, retain: true });
      await until(() => seen.some((m) => m.topic === "probe/ping") && seen.some((m) => m.topic === "homeassistant/sensor/new/config"), "the page's own messages");

      // The hogs leave: what they were owed is given back, and a new subscriber gets every retained config.
      for (const c of hogs) c.socket.destroy();
      await Promise.all(hogs.map((c) => c.closed));
      await until(() => t.broker.stats().owedRetained === 0, "the budget given back", 30_000);
      const late = await connectClient(t.port, { clientId: "late" });
      const lateSeen = collect(late);
      await late.subscribeAsync("homeassistant/#", { qos: 0 });
      await until(() => lateSeen.length === configs + 1, `${configs + 1} retained configs`, 30_000); // beside next build on CI
      await Promise.all([page.endAsync(), late.endAsync()]);
    } finally {
      await t.close();
    }
  });

  it("sessions abandoned mid-backlog that never expire do not take every later subscriber's retained messages (review-15 M2)", async () => {
    const t = await startTestBroker({ limits: { maxOwedRetained: 10 } });
    try {
      for (const n of [1, 2, 3, 4, 5, 6]) await t.broker.publish({ topic: `homeassistant/sensor/${n}/config`, payload: "{}", qos: 1, retain: true });
      // Persistent sessions that read one message and vanish (an app killed, a flow with a random id).
      for (const clientId of ["abandoned-a", "abandoned-b"]) {
        const c = await oneAtATime(t.port, { clientId, clean: false, properties: { sessionExpiryInterval: 0xffffffff } }, ["homeassistant/#"]);
        await c.next("publish");
        c.socket.destroy();
        await c.closed;
      }
      const dashboard = await connectClient(t.port, { clientId: "dashboard" });
      const seen = collect(dashboard);
      await dashboard.subscribeAsync("homeassistant/#", { qos: 0 });
      await until(() => seen.length === 6, "all 6 retained configs");
      await dashboard.endAsync();
    } finally {
      await t.close();
    }
  });

  it("a persistent session's owed messages stop counting when its connection goes, and are still sent when it comes back", async () => {
    const t = await startTestBroker({ limits: { maxOwedRetained: 5 } });
    try {
      for (const n of [1, 2, 3]) await t.broker.publish({ topic: `away/${n}`, payload: "v", qos: 1, retain: true });
      const c = await oneAtATime(t.port, { clientId: "sleeper", clean: false, properties: { sessionExpiryInterval: 3600 } }, ["away/#"]);
      await c.next("publish"); // away/1 in flight; away/2, away/3 owed
      assert.equal(t.broker.stats().owedRetained, 2);
      c.socket.destroy();
      await c.closed;
      await until(() => t.broker.stats().owedRetained === 0, "an abandoned session not to hold the budget (review-15 M2)");
      const back = await rawConnected(t.port, 5, { clientId: "sleeper", clean: false, properties: { sessionExpiryInterval: 3600, receiveMaximum: 1 } });
      const topics: string[] = [];
      for (let i = 0; i < 3; i++) {
        const p = (await back.next("publish")) as IPublishPacket;
        topics.push(p.topic);
        ack(back, p);
      }
      assert.deepEqual(topics, ["away/1", "away/2", "away/3"], "away/1 again (it was in flight), then what was owed");
      assert.equal(t.broker.stats().owedRetained, 0);
      back.socket.destroy();
      await back.closed;
    } finally {
      await t.close();
    }
  });
});

describe("owed retained messages keep main's order and restart behaviour (review-13 F1, F3)", () => {
  it("a topic changed while its snapshot copy waits reaches the subscriber in publish order [MQTT-4.6.0-6]", async () => {
    const t = await startTestBroker();
    try {
      const dev = await connectClient(t.port, { clientId: "dev" });
      await dev.publishAsync("cmnd/a", "A", { qos: 1, retain: true });
      await dev.publishAsync("cmnd/light", "OFF", { qos: 1, retain: true });
      const sub = await oneAtATime(t.port, { clientId: "sub" }, ["cmnd/#"]);
      const first = (await sub.next("publish")) as IPublishPacket; // cmnd/a: the window is full
      await dev.publishAsync("cmnd/light", "ON", { qos: 1, retain: true });
      await dev.publishAsync("cmnd/light", "OFF2", { qos: 1, retain: true });
      await dev.publishAsync("cmnd/zz", "end", { qos: 1 }); // queued behind everything owed
      ack(sub, first);
      assert.deepEqual(await readUntil(sub, "cmnd/zz"), ["cmnd/light=OFF(r)", "cmnd/light=ON", "cmnd/light=OFF2", "cmnd/zz=end"]);
      await dev.endAsync();
      sub.socket.destroy();
    } finally {
      await t.close();
    }
  });

  it("a config cleared and announced again behind the SUBSCRIBE comes once from the snapshot, then as published", async () => {
    const t = await startTestBroker();
    try {
      for (const x of ["a", "b", "c"]) await t.broker.publish({ topic: `ha/${x}/config`, payload: `${x}1`, qos: 1, retain: true });
      const sub = await oneAtATime(t.port, { clientId: "ha" }, ["ha/#"]);
      const first = (await sub.next("publish")) as IPublishPacket;
      await t.broker.publish({ topic: "ha/a/config", payload: "", qos: 1, retain: true }); // Zigbee2MQTT clears it…
      await t.broker.publish({ topic: "ha/a/config", payload: "a2", qos: 1, retain: true }); // …and announces it again
      await t.broker.publish({ topic: "ha/zz", payload: "end", qos: 1 });
      ack(sub, first);
      assert.deepEqual(
        [shown(first), ...(await readUntil(sub, "ha/zz"))],
        ["ha/a/config=a1(r)", "ha/b/config=b1(r)", "ha/c/config=c1(r)", "ha/a/config=", "ha/a/config=a2", "ha/zz=end"],
      );
      sub.socket.destroy();
    } finally {
      await t.close();
    }
  });

  it("a persistent session that reconnects gets the rest of what it was owed, once, before what was queued while it was away", async () => {
    const t = await startTestBroker();
    try {
      for (const n of [1, 2, 3]) await t.broker.publish({ topic: `away/${n}`, payload: "v", qos: 1, retain: true });
      const session = { clientId: "sleeper", clean: false, properties: { sessionExpiryInterval: 3600 } };
      const c = await oneAtATime(t.port, session, ["away/#"]);
      await c.next("publish"); // away/1 in flight; away/2, away/3 owed
      c.socket.destroy();
      await c.closed;
      await t.broker.publish({ topic: "away/2", payload: "w", qos: 1, retain: true }); // queued for the session while it is away
      await t.broker.publish({ topic: "away/zz", payload: "end", qos: 1 });
      const back = await rawConnected(t.port, 5, session);
      assert.deepEqual(await readUntil(back, "away/zz"), ["away/1=v(r)", "away/2=v(r)", "away/3=v(r)", "away/2=w", "away/zz=end"]);
      assert.equal(t.broker.stats().owedRetained, 0);
      back.socket.destroy();
    } finally {
      await t.close();
    }
  });

  it("retained messages owed to a persistent session are sent after a restart", async () => {
    const store = createMemoryStore();
    const first = await startTestBroker({ store });
    for (const n of [1, 2, 3]) await first.broker.publish({ topic: `away/${n}`, payload: "v", qos: 1, retain: true });
    const session = { clientId: "sleeper", clean: false, properties: { sessionExpiryInterval: 3600 } };
    const c = await oneAtATime(first.port, session, ["away/#"]);
    ack(c, (await c.next("publish")) as IPublishPacket);
    await c.next("publish"); // away/2 in flight, not acknowledged; away/3 owed
    c.socket.destroy();
    await c.closed;
    await first.close();
    const second = await startTestBroker({ store: createMemoryStore(await store.load()) });
    try {
      const back = await rawConnected(second.port, 5, session);
      await second.broker.publish({ topic: "away/zz", payload: "end", qos: 1 });
      assert.deepEqual(await readUntil(back, "away/zz"), ["away/2=v(r)", "away/3=v(r)", "away/zz=end"]);
      back.socket.destroy();
    } finally {
      await second.close();
    }
  });
});

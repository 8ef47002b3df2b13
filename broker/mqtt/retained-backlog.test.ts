// A new subscription gets every retained message it matches, however many, paced by the
// subscriber's socket and window rather than cut at the queue limit (review 10, F8: a
// new `homeassistant/#` subscriber got 1,623 of 3,000 discovery configs). What is owed is
// pulled from the retained store when its turn comes (review 11, F5), so it goes as it is then.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { IPublishPacket, Packet } from "mqtt-packet";
import { startTestBroker, type TestBroker } from "./test-server";
import { collect, connectClient, rawConnected, until, type RawClient } from "./test-clients";

const CONFIGS = 3000;
/** About the size of a Zigbee2MQTT discovery config (1.6 kB): 3,000 of them are 4.8 MB, far past the 1 MiB write buffer. */
const config = (i: number) => JSON.stringify({ unique_id: `0x${i}_temperature_zigbee2mqtt`, state_topic: `zigbee2mqtt/Sensor ${i}`, pad: "x".repeat(1500) });
const topicOf = (i: number) => `homeassistant/sensor/0x${i}/temperature/config`;

async function withConfigs(run: (port: number) => Promise<void>): Promise<void> {
  const t = await startTestBroker(); // default limits: 1,000 queued, 1 MiB write buffer
  try {
    const z2m = await rawConnected(t.port, 4, { clientId: "z2m" });
    for (let i = 1; i <= CONFIGS; i++) {
      z2m.send({ cmd: "publish", topic: topicOf(i), payload: Buffer.from(config(i)), qos: 1, dup: false, retain: true, messageId: i });
    }
    await until(() => z2m.received.filter((p) => p.cmd === "puback").length === CONFIGS, "every config stored", 30_000);
    z2m.socket.destroy();
    await run(t.port);
  } finally {
    await t.close();
  }
}

describe("retained messages for a new subscription (review 10, F8)", () => {
  it("a QoS 0 subscriber to homeassistant/# gets all 3,000 retained configs", async () => {
    await withConfigs(async (port) => {
      const page = await connectClient(port, { clientId: "page" });
      const seen = collect(page);
      await page.subscribeAsync("homeassistant/#", { qos: 0 });
      await until(() => seen.length === CONFIGS, `${CONFIGS} retained configs`, 30_000);
      assert.equal(new Set(seen.map((m) => m.topic)).size, CONFIGS);
      assert.ok(seen.every((m) => m.retain));
      await page.endAsync();
    });
  });

  it("a QoS 1 subscriber with Receive Maximum 20 gets all 3,000 as it acknowledges them; a live message comes after them", async () => {
    await withConfigs(async (port) => {
      const ha = await rawConnected(port, 5, { clientId: "home-assistant", properties: { receiveMaximum: 20 } });
      ha.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "homeassistant/#", qos: 1 }] });
      await ha.next("suback");
      const live = await connectClient(port, { clientId: "late-device" });
      await live.publishAsync("homeassistant/status", "online", { qos: 1 });
      const got: IPublishPacket[] = [];
      while (got.length < CONFIGS + 1) {
        const p = (await ha.next("publish")) as IPublishPacket;
        got.push(p);
        ha.send({ cmd: "puback", messageId: p.messageId });
      }
      assert.equal(new Set(got.slice(0, CONFIGS).map((p) => p.topic)).size, CONFIGS);
      assert.deepEqual([got[CONFIGS].topic, got[CONFIGS].retain], ["homeassistant/status", false], "live messages wait behind the retained set");
      await live.endAsync();
      ha.socket.destroy();
    });
  });
});

describe("retained messages owed, pulled from the retained store as the subscriber takes them (review 11, F5)", () => {
  /** An MQTT 5 subscriber with Receive Maximum 1: each owed copy is pulled only once the one before it is acknowledged. */
  async function oneAtATime(port: number, filter: string, connect: Partial<Extract<Packet, { cmd: "connect" }>> = {}): Promise<RawClient> {
    const c = await rawConnected(port, 5, { ...connect, properties: { receiveMaximum: 1, ...connect.properties } });
    c.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: filter, qos: 1 }], properties: { subscriptionIdentifier: 5 } });
    await c.next("suback");
    return c;
  }
  /** Acknowledges each PUBLISH until `count` have come; then nothing more is owed (PINGRESP comes after anything pending). */
  async function takeAll(c: RawClient, first: IPublishPacket[], count: number): Promise<IPublishPacket[]> {
    const got = [...first];
    for (;;) {
      c.send({ cmd: "puback", messageId: got[got.length - 1].messageId });
      if (got.length === count) break;
      got.push((await c.next("publish")) as IPublishPacket);
    }
    c.send({ cmd: "pingreq" });
    await c.next("pingresp");
    assert.equal(c.received.filter((p) => p.cmd === "publish").length, count, "nothing more came");
    return got;
  }
  const retained = (t: TestBroker, topic: string, payload: string, messageExpiryInterval?: number) =>
    t.broker.publish({ topic, payload, qos: 1, retain: true, messageExpiryInterval });
  async function withBroker(run: (t: TestBroker) => Promise<void>): Promise<void> {
    const t = await startTestBroker();
    try {
      await run(t);
    } finally {
      await t.close();
    }
  }
  const brief = (p: IPublishPacket) => `${p.topic}=${p.payload.toString()} r${Number(p.retain)}`;

  it("one replaced before its turn goes as it is now, one cleared before its turn not at all; each with RETAIN 1 [MQTT-3.3.1-8] and the subscription identifier (§3.3.4)", async () => {
    await withBroker(async (t) => {
      for (const n of [1, 2, 3]) await retained(t, `owed/${n}`, "v1");
      const c = await oneAtATime(t.port, "owed/#");
      const first = (await c.next("publish")) as IPublishPacket;
      await retained(t, "owed/2", "v2");
      await retained(t, "owed/3", ""); // [MQTT-3.3.1-10] clears owed/3
      const got = await takeAll(c, [first], 4);
      // The two live copies (RETAIN 0 [MQTT-3.3.1-9]) come behind what was owed.
      assert.deepEqual(got.map(brief), ["owed/1=v1 r1", "owed/2=v2 r1", "owed/2=v2 r0", "owed/3= r0"]);
      assert.deepEqual(got.map((p) => p.properties?.subscriptionIdentifier), [5, 5, 5, 5]);
      c.socket.destroy();
    });
  });

  it("UNSUBSCRIBE drops what is not sent yet [MQTT-3.10.4-2]; the filter subscribed again is owed all of them again [MQTT-3.8.4-3]", async () => {
    await withBroker(async (t) => {
      for (const n of [1, 2, 3]) await retained(t, `un/${n}`, "v");
      const c = await oneAtATime(t.port, "un/#");
      const first = (await c.next("publish")) as IPublishPacket;
      c.send({ cmd: "unsubscribe", messageId: 2, unsubscriptions: ["un/#"] });
      await c.next("unsuback");
      assert.deepEqual((await takeAll(c, [first], 1)).map(brief), ["un/1=v r1"]);
      c.send({ cmd: "subscribe", messageId: 3, subscriptions: [{ topic: "un/#", qos: 1 }] });
      await c.next("suback");
      const again = (await c.next("publish")) as IPublishPacket;
      c.send({ cmd: "subscribe", messageId: 4, subscriptions: [{ topic: "un/#", qos: 1 }] }); // Retain Handling 0: re-sent
      await c.next("suback");
      const got = await takeAll(c, [first, again], 5);
      assert.deepEqual(got.slice(1).map(brief), ["un/1=v r1", "un/1=v r1", "un/2=v r1", "un/3=v r1"]);
      c.socket.destroy();
    });
  });

  it("a persistent session that goes away owing retained messages gets the rest at its next connection", async () => {
    await withBroker(async (t) => {
      for (const n of [1, 2, 3]) await retained(t, `away/${n}`, "v");
      const session = { clientId: "sleeper", clean: false, properties: { sessionExpiryInterval: 60 } };
      const c = await oneAtATime(t.port, "away/#", session);
      await c.next("publish");
      c.socket.destroy();
      await c.closed;
      const back = await rawConnected(t.port, 5, { ...session, properties: { ...session.properties, receiveMaximum: 1 } });
      const resent = (await back.next("publish")) as IPublishPacket;
      assert.equal(resent.dup, true, "[MQTT-4.4.0-1] the unacknowledged one again, DUP 1");
      const got = await takeAll(back, [resent], 3);
      assert.deepEqual(got.map(brief), ["away/1=v r1", "away/2=v r1", "away/3=v r1"]);
      back.socket.destroy();
    });
  });

  it("one that expires before its turn is not sent and is gone [MQTT-3.3.2-5]; the others carry what is left of their expiry [MQTT-3.3.2-6]", async () => {
    await withBroker(async (t) => {
      await retained(t, "exp/1", "none");
      await retained(t, "exp/2", "1 s", 1);
      await retained(t, "exp/3", "100 s", 100);
      const c = await oneAtATime(t.port, "exp/#");
      const first = (await c.next("publish")) as IPublishPacket;
      await new Promise((r) => setTimeout(r, 1100)); // past exp/2's expiry, however loaded the machine (a floor, not a ceiling)
      const got = await takeAll(c, [first], 2);
      assert.deepEqual(got.map(brief), ["exp/1=none r1", "exp/3=100 s r1"]);
      const left = got[1].properties!.messageExpiryInterval!;
      assert.ok(left <= 99 && left > 0, `${left} s left of 100`);
      assert.deepEqual(t.broker.retained("exp/#").map((m) => m.topic).sort(), ["exp/1", "exp/3"]);
      c.socket.destroy();
    });
  });
});

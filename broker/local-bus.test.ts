// The local bus as the broker's onPublished hook: what a handler returns holds the
// publisher's acknowledgement ("acknowledged means stored", issue 12), and a burst is
// handed out without growing the stack (aedes's emitter overflowed here,
// mcollina/mqemitter#204).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import mqtt, { type MqttClient } from "mqtt";
import { createLocalBus } from "./local-bus";
import { startBusBroker, type BusBroker } from "./test-bus-broker";

let hub: BusBroker;
const clients: MqttClient[] = [];
before(async () => {
  hub = await startBusBroker();
});
after(async () => {
  for (const client of clients) await client.endAsync();
  await hub.close();
});

async function client(clientId: string, protocolVersion: 4 | 5): Promise<MqttClient> {
  const c = await mqtt.connectAsync(hub.url, { clientId, protocolVersion, reconnectPeriod: 0 });
  clients.push(c);
  return c;
}

describe("local bus", () => {
  for (const protocolVersion of [4, 5] as const) {
    it(`holds a QoS 1 PUBACK until the handler's promise resolves (MQTT ${protocolVersion === 4 ? "3.1.1" : "5"})`, async () => {
      const topic = `held/${protocolVersion}`;
      let store!: () => void;
      let called!: () => void;
      const handled = new Promise<void>((resolve) => (called = resolve));
      const unsubscribe = await hub.bus.subscribe(topic, () => {
        called();
        return new Promise<void>((resolve) => (store = resolve));
      });
      const publisher = await client(`held-publisher-${protocolVersion}`, protocolVersion);
      let acked = false;
      const publishing = publisher.publishAsync(topic, "1", { qos: 1 }).then(() => (acked = true));
      await handled;
      // A round trip of another client's own QoS 1 publish: the broker has long had the first one.
      const other = await client(`held-other-${protocolVersion}`, protocolVersion);
      await other.publishAsync("held/elsewhere", "2", { qos: 1 });
      assert.equal(acked, false, "no PUBACK while the handler's effect is pending");
      store();
      await publishing;
      assert.equal(acked, true);
      await unsubscribe();
    });
  }

  it("hands out 20,000 messages published in one burst without overflowing the stack", async () => {
    const COUNT = 20_000;
    let seen = 0;
    const unsubscribe = await hub.bus.subscribe("burst/#", () => {
      seen++;
    });
    const publishing: Promise<void>[] = [];
    for (let i = 0; i < COUNT; i++) publishing.push(hub.bus.publish("burst/x", "1"));
    await Promise.all(publishing);
    assert.equal(seen, COUNT);
    await unsubscribe();
  });

  it("hands a new subscriber the matching retained messages first, flagged retained and replayed [MQTT-3.3.1-6] (review-10 F15)", async () => {
    const device = await client("retained-publisher", 5);
    await device.publishAsync("replay/a/config", "A", { qos: 1, retain: true });
    await device.publishAsync("replay/b/config", "B", { qos: 1, retain: true });
    await device.publishAsync("replay/c/config", "C", { qos: 1 });
    const publishedBy = Date.now();
    // Later than the messages: a replayed copy keeps the time the broker took the message (review-11).
    await new Promise((resolve) => setTimeout(resolve, 30));
    const received: number[] = [];
    const unsubscribeTimes = await hub.bus.subscribe("replay/+/config", ({ receivedAt }) => void received.push(receivedAt));
    assert.equal(received.length, 2);
    for (const at of received) assert.ok(at <= publishedBy, `received at ${at}, the copy replayed at ${publishedBy + 30} or later`);
    await unsubscribeTimes();
    const earlier: string[] = [];
    const unsubscribeEarlier = await hub.bus.subscribe("replay/#", ({ topic }) => void earlier.push(topic));
    const seen: { topic: string; payload: string; retain: boolean; replayed: boolean | undefined }[] = [];
    const unsubscribe = await hub.bus.subscribe("replay/+/config", ({ topic, payload, retain, replayed }) => {
      seen.push({ topic, payload: payload.toString(), retain, replayed });
    });
    // Handed over before subscribe resolves: a service starting up knows them from the start.
    assert.deepEqual(
      seen.sort((x, y) => x.topic.localeCompare(y.topic)),
      [
        { topic: "replay/a/config", payload: "A", retain: true, replayed: true },
        { topic: "replay/b/config", payload: "B", retain: true, replayed: true },
      ],
    );
    assert.deepEqual(earlier.sort(), ["replay/a/config", "replay/b/config"], "the earlier subscriber got its own copies once, not the later one's");
    await device.publishAsync("replay/a/config", "A2", { qos: 1, retain: true });
    assert.deepEqual(seen.at(-1), { topic: "replay/a/config", payload: "A2", retain: true, replayed: false });
    await unsubscribe();
    await unsubscribeEarlier();
  });

  it("refuses to publish before it is attached to a broker", async () => {
    await assert.rejects(createLocalBus().publish("a/b", "1"), /not attached/);
  });
});

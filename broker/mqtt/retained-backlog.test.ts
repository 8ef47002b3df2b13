// A new subscription gets every retained message it matches, however many, paced by the
// subscriber's socket and window rather than cut at the queue limit (review 10, F8: a
// new `homeassistant/#` subscriber got 1,623 of 3,000 discovery configs).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { IPublishPacket } from "mqtt-packet";
import { startTestBroker } from "./test-server";
import { collect, connectClient, rawConnected, until } from "./test-clients";

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

// The retained messages owed to new subscriptions cost the broker a few hundred bytes per
// subscription, not one object per retained message per subscription (review 11, F5):
// many connections that never take what they subscribed to, each subscribing `#`-like
// filters in a home of thousands of retained discovery configs, once pinned 100k
// copies each, and 500 of them ran the hub out of heap.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { IPublishPacket } from "mqtt-packet";
import { startTestBroker } from "./test-server";
import { collect, connectClient, rawConnected, until, type RawClient } from "./test-clients";

const RETAINED = 3000;
const SUBSCRIBERS = 200;
/** Each matches every config: 4 × 3,000 retained copies owed per session, 2.4 million in all. */
const FILTERS = ["#", "+/#", "homeassistant/#", "+/+/#"];
/**
 * The heap the owed copies may take, all 200 sessions together. One object per owed copy
 * (~80 bytes) took 188 MB here (main at 8e97c9e); a walk of the retained store per
 * subscription takes 1.3 MB with the 800 subscriptions themselves.
 */
const HEAP_BOUND_MB = 16;

const topicOf = (i: number) => `homeassistant/sensor/0x${i}/temperature/config`;

/** The heap after a full collection (V8's gc, reached without --expose-gc on the command line). */
function heapAfterGc(): number {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe("retained messages owed to new subscriptions, broker-wide (review 11, F5)", () => {
  it("200 sessions that never acknowledge, 4 `#`-like filters each over 3,000 retained configs: the heap stays bounded and a well-behaved client is served", async () => {
    const t = await startTestBroker();
    const stuck: RawClient[] = [];
    try {
      for (let i = 1; i <= RETAINED; i++) {
        await t.broker.publish({ topic: topicOf(i), payload: JSON.stringify({ unique_id: `0x${i}_temperature` }), qos: 1, retain: true });
      }
      // MQTT 5 Receive Maximum 1 [MQTT-3.3.4-9]: one PUBLISH each, never acknowledged, and
      // everything else owed waits in the broker, as for a client that stopped reading.
      for (let i = 0; i < SUBSCRIBERS; i++) stuck.push(await rawConnected(t.port, 5, { clientId: `stuck-${i}`, properties: { receiveMaximum: 1 } }));
      const before = heapAfterGc();

      for (const [i, client] of stuck.entries()) {
        client.send({ cmd: "subscribe", messageId: 1, subscriptions: FILTERS.map((topic) => ({ topic, qos: 1 })) });
        const suback = await client.next("suback");
        assert.deepEqual((suback as { granted: number[] }).granted, [1, 1, 1, 1], `stuck-${i} granted`);
        const first = (await client.next("publish")) as IPublishPacket;
        assert.equal(first.retain, true, "the first owed copy is sent, with RETAIN 1 [MQTT-3.3.1-8]");
      }
      const grownMb = (heapAfterGc() - before) / 2 ** 20;
      assert.ok(grownMb < HEAP_BOUND_MB, `the owed retained copies took ${grownMb.toFixed(1)} MB of heap (bound ${HEAP_BOUND_MB} MB)`);

      const page = await connectClient(t.port, { clientId: "page" });
      const seen = collect(page);
      await page.subscribeAsync("homeassistant/#", { qos: 0 });
      await t.broker.publish({ topic: "homeassistant/status", payload: "online", qos: 0 });
      // What is owed goes before live messages: the live one comes after every config. A
      // long deadline: npm test runs this at nice 19 beside next build.
      await until(() => seen.some((m) => m.topic === "homeassistant/status"), "a live message after the retained configs", 60_000);
      assert.equal(seen.length, RETAINED + 1);
      assert.equal(new Set(seen.slice(0, RETAINED).filter((m) => m.retain).map((m) => m.topic)).size, RETAINED, "every config, with RETAIN 1");
      assert.deepEqual([seen[RETAINED].topic, seen[RETAINED].retain], ["homeassistant/status", false]);
      await page.endAsync();
    } finally {
      for (const client of stuck) client.socket.destroy();
      await t.close();
    }
  });
});

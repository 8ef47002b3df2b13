import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Principal } from "../lib/auth/roles";
import { createLimits, takeToken } from "./limits";
import { quietLog, startTestBroker, type TestBroker } from "./mqtt/test-server";
import { connectClient, rawConnected } from "./mqtt/test-clients";

describe("publish rate bucket", () => {
  it("allows a burst of one second's allowance, then the rate", () => {
    const bucket = { tokens: 5, at: 0 };
    const burst = Array.from({ length: 7 }, () => takeToken(bucket, 0, 5));
    assert.deepEqual(burst, [true, true, true, true, true, false, false]);
    assert.equal(takeToken(bucket, 100, 5), false, "half a token after 100 ms");
    assert.equal(takeToken(bucket, 200, 5), true, "a whole one after 200 ms");
    assert.equal(takeToken(bucket, 10_000, 5), true);
    assert.ok(bucket.tokens <= 4, "never more than one second's allowance banked");
  });
});

// Issue 12: "a server DISCONNECT with a reason code when the hub closes a connection for a
// reason (limits, …)". policy.test.ts pins the hook's refusals in memory; here the hub's own
// limits hook runs in a real broker, and an MQTT 5 client hears the reason before the close
// (MQTT 5 §3.14.2.1: 0x96 Message rate too high, 0x97 Quota exceeded) while others carry on.
describe("limits on the wire: MQTT 5 hears why it is disconnected", () => {
  let t: TestBroker;
  const lines: string[] = [];
  before(async () => {
    const limits = createLimits({ maxConnections: 10, maxPublishesPerSecond: 3, maxSubscriptionsPerClient: 2 }, quietLog(lines));
    t = await startTestBroker<Principal>({ hooks: [limits] });
  });
  after(() => t.close());

  it("publishing past the rate: DISCONNECT 0x96, then the close", async () => {
    const c = await rawConnected(t.port, 5);
    for (let i = 0; i < 6; i++) c.send({ cmd: "publish", topic: "rate/x", payload: Buffer.from(String(i)), qos: 0, dup: false, retain: false });
    assert.equal(((await c.next("disconnect")) as { reasonCode: number }).reasonCode, 0x96);
    await c.closed;
    assert.ok(lines.some((l) => l.includes('"code":"publish-rate-exceeded"')), lines.join("\n"));
    const other = await connectClient(t.port, { protocolVersion: 5 });
    await other.publishAsync("rate/y", "still served", { qos: 1 });
    await other.endAsync();
  });

  it("subscribing past the quota: DISCONNECT 0x97, then the close", async () => {
    const c = await rawConnected(t.port, 5);
    for (const [messageId, topic] of [[1, "quota/a"], [2, "quota/b"]] as const) {
      c.send({ cmd: "subscribe", messageId, subscriptions: [{ topic, qos: 0 }] });
      assert.deepEqual(((await c.next("suback")) as { granted: number[] }).granted, [0]);
    }
    c.send({ cmd: "subscribe", messageId: 3, subscriptions: [{ topic: "quota/c", qos: 0 }] });
    assert.equal(((await c.next("disconnect")) as { reasonCode: number }).reasonCode, 0x97);
    await c.closed;
    assert.ok(lines.some((l) => l.includes('"code":"too-many-subscriptions"')), lines.join("\n"));
  });
});

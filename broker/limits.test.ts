import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { IPublishPacket } from "mqtt-packet";
import type { Principal } from "../lib/auth/roles";
import { DEFAULT_HUB_LIMITS } from "../lib/config";
import type { ClientInfo } from "./mqtt/hooks";
import { quietLog, startTestBroker } from "./mqtt/test-server";
import { collect, connectClient, rawConnected, until } from "./mqtt/test-clients";
import { createLimits, takeToken } from "./limits";

describe("publish rate bucket", () => {
  it("allows a burst, then the rate: past it the bucket goes into debt and says how long the socket should rest", () => {
    const bucket = { tokens: 3, at: 0 };
    const rests = Array.from({ length: 5 }, () => takeToken(bucket, 0, 10, 3));
    assert.deepEqual(rests, [0, 0, 0, 100, 200], "a token every 100 ms at 10 a second");
    assert.equal(takeToken(bucket, 250, 10, 3), 50, "250 ms later the debt is paid, and half of this one");
    assert.equal(takeToken(bucket, 10_000, 10, 3), 0);
    assert.ok(bucket.tokens <= 2, "never more than the burst banked");
  });
});

const client = (connectionId: number, paused: number[]): ClientInfo<Principal> => ({
  connectionId,
  clientId: `c${connectionId}`,
  protocolVersion: 5,
  username: undefined,
  remoteAddress: "127.0.0.1",
  req: undefined,
  principal: { kind: "internal" } as Principal,
  close: () => assert.fail("the rate limit never closes a connection"),
  pauseReads: (ms) => paused.push(ms),
});

describe("publish rate limit (review 10, F6)", () => {
  const message = { topic: "homeassistant/sensor/x/config", qos: 1 as const, retain: true, payloadBytes: 1600 };

  it("with the defaults, a Zigbee2MQTT start (3,000 discovery configs back to back) is neither refused nor slowed", () => {
    const paused: number[] = [];
    const limits = createLimits(DEFAULT_HUB_LIMITS, quietLog(), () => 0);
    const answers = Array.from({ length: 3000 }, () => limits.authorizePublish!(client(1, paused), message));
    assert.equal(answers.filter((a) => a !== null).length, 0);
    assert.deepEqual(paused, []);
  });

  it("past the burst a client is slowed down, not disconnected, and logged once with a stable code", () => {
    const paused: number[] = [];
    const lines: string[] = [];
    let now = 0;
    const limits = createLimits({ ...DEFAULT_HUB_LIMITS, maxPublishesPerSecond: 10, publishBurst: 2 }, quietLog(lines), () => now);
    const answers = Array.from({ length: 4 }, () => limits.authorizePublish!(client(1, paused), message));
    assert.deepEqual(answers, [null, null, null, null]);
    assert.deepEqual(paused, [100, 200]);
    assert.equal(lines.filter((l) => l.includes('"code":"publish-rate-exceeded"')).length, 1);
    assert.match(lines[0], /^warn slowing a client down .*"client":"c1","limit":10,"burst":2/);
    now = 1000;
    assert.equal(limits.authorizePublish!(client(1, paused), message), null);
    assert.deepEqual(paused, [100, 200], "the allowance came back with time");
  });

  it("a real client publishing faster than the rate gets every message through, slowed by its unread socket", async () => {
    const lines: string[] = [];
    const limits = createLimits({ ...DEFAULT_HUB_LIMITS, maxPublishesPerSecond: 400, publishBurst: 50 }, quietLog(lines));
    const t = await startTestBroker<Principal>({ hooks: [limits] });
    const sub = await connectClient(t.port, { clientId: "observer" });
    const seen = collect(sub);
    await sub.subscribeAsync("homeassistant/#", { qos: 1 });
    const pub = await rawConnected(t.port, 5, { clientId: "z2m" });
    const COUNT = 400;
    const publish = (i: number): IPublishPacket => ({
      cmd: "publish", topic: `homeassistant/sensor/0x${i}/temperature/config`, payload: Buffer.from(`{"n":${i}}`), qos: 1, dup: false, retain: true, messageId: i,
    });
    for (let i = 1; i <= COUNT; i++) pub.send(publish(i));
    await until(() => pub.received.filter((p) => p.cmd === "puback").length === COUNT, "every PUBACK");
    await until(() => seen.length === COUNT, "every message at the subscriber");
    assert.equal(pub.received.some((p) => p.cmd === "disconnect"), false, "the publisher was not disconnected");
    assert.ok(lines.some((l) => l.includes("slowing a client down") && l.includes('"client":"z2m"')));
    await sub.endAsync();
    pub.socket.destroy();
    await t.close();
  });
});

describe("subscriptions per client (review 10, F7)", () => {
  it("with the defaults, a client holding 1,500 filters (Home Assistant: one per topic its entities read) is granted them all", async () => {
    const t = await startTestBroker<Principal>({ hooks: [createLimits(DEFAULT_HUB_LIMITS, quietLog())] });
    const ha = await rawConnected(t.port, 5, { clientId: "home-assistant" });
    const subscriptions = Array.from({ length: 1500 }, (_, i) => ({ topic: `zigbee2mqtt/Sensor ${i}`, qos: 0 as const }));
    ha.send({ cmd: "subscribe", messageId: 1, subscriptions });
    const suback = (await ha.next("suback")) as { granted: number[] };
    assert.equal(suback.granted.filter((code) => code !== 0).length, 0);
    ha.send({ cmd: "pingreq" });
    await ha.next("pingresp");
    ha.socket.destroy();
    await t.close();
  });

  it("past the limit the extra filters alone are refused (SUBACK 0x97; 3.1.1 0x80), logged once; the client stays connected", async () => {
    const lines: string[] = [];
    const t = await startTestBroker<Principal>({ hooks: [createLimits({ ...DEFAULT_HUB_LIMITS, maxSubscriptionsPerClient: 3 }, quietLog(lines))] });
    for (const version of [5, 4] as const) {
      const c = await rawConnected(t.port, version, { clientId: `hoarder-${version}` });
      c.send({ cmd: "subscribe", messageId: 1, subscriptions: ["a", "b", "c", "d", "e"].map((topic) => ({ topic, qos: 0 as const })) });
      const suback = (await c.next("suback")) as { granted: number[] };
      assert.deepEqual(suback.granted, version === 5 ? [0, 0, 0, 0x97, 0x97] : [0, 0, 0, 0x80, 0x80]);
      c.send({ cmd: "subscribe", messageId: 2, subscriptions: [{ topic: "a", qos: 1 }] });
      assert.deepEqual(((await c.next("suback")) as { granted: number[] }).granted, [1], "a filter it holds is replaced, not added");
      c.send({ cmd: "pingreq" });
      await c.next("pingresp");
      c.socket.destroy();
    }
    assert.equal(lines.filter((l) => l.includes('"code":"too-many-subscriptions"')).length, 2, "one line per connection");
    await t.close();
  });
});

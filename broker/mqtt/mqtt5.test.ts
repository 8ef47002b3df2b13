// MQTT 5 features, each by its clause, with raw MQTT 5 packets over loopback TCP.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { IPublishPacket } from "mqtt-packet";
import { startTestBroker, type TestBroker } from "./test-server";
import { rawConnected, until, type RawClient } from "./test-clients";

const publish = (topic: string, payload: string, extra: Partial<IPublishPacket> = {}): IPublishPacket => ({
  cmd: "publish", topic, payload: Buffer.from(payload), qos: 0, dup: false, retain: false, ...extra,
});

async function subscribed(t: TestBroker, filter: string, options: Record<string, unknown> = {}, connect: Record<string, unknown> = {}, properties?: Record<string, unknown>): Promise<RawClient> {
  const c = await rawConnected(t.port, 5, connect);
  c.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: filter, qos: 1, ...options } as never], properties });
  await c.next("suback");
  return c;
}

const payloads = (c: RawClient) => c.received.filter((p): p is IPublishPacket => p.cmd === "publish").map((p) => p.payload.toString());

describe("MQTT 5", { concurrency: true }, () => {
  let t: TestBroker;
  before(async () => {
    t = await startTestBroker({ limits: { receiveMaximum: 3, topicAliasMaximum: 2, maxPacketBytes: 4096 } });
  });
  after(() => t.close());

  it("[MQTT-3.1.2-23] session expiry: a session outlives its connection for the interval, then is gone", async () => {
    // Kept for a minute first, so a reconnect on a starved machine still comes inside the interval
    // (npm test runs the unit tests at nice 19 beside the browser tests: a 1 s interval ran out).
    const c = await rawConnected(t.port, 5, { clientId: "expiring", clean: false, properties: { sessionExpiryInterval: 60 } });
    c.socket.destroy();
    await c.closed;
    // The interval that counts is the one of the last connection to end.
    const back = await rawConnected(t.port, 5, { clientId: "expiring", clean: false, properties: { sessionExpiryInterval: 1 } });
    assert.equal((back.received[0] as { sessionPresent: boolean }).sessionPresent, true);
    back.socket.destroy();
    await back.closed;
    await new Promise((r) => setTimeout(r, 1100));
    const late = await rawConnected(t.port, 5, { clientId: "expiring", clean: false });
    assert.equal((late.received[0] as { sessionPresent: boolean }).sessionPresent, false);
    late.socket.destroy();
  });

  it("[MQTT-3.1.2-4] clean start discards the session even when it has not expired", async () => {
    const c = await rawConnected(t.port, 5, { clientId: "restart", clean: false, properties: { sessionExpiryInterval: 60 } });
    c.socket.destroy();
    await c.closed;
    const back = await rawConnected(t.port, 5, { clientId: "restart", clean: true });
    assert.equal((back.received[0] as { sessionPresent: boolean }).sessionPresent, false);
    back.socket.destroy();
  });

  it("topic aliases in: the client's alias stands for its topic on later PUBLISHes (§3.3.2.3.4)", async () => {
    const sub = await subscribed(t, "alias/in/#");
    const c = await rawConnected(t.port, 5);
    c.send(publish("alias/in/x", "first", { properties: { topicAlias: 1 } }));
    c.send(publish("", "second", { properties: { topicAlias: 1 } }));
    await until(() => payloads(sub).length === 2, "both messages");
    assert.deepEqual(sub.received.filter((p) => p.cmd === "publish").map((p) => (p as IPublishPacket).topic), ["alias/in/x", "alias/in/x"]);
    // [MQTT-3.3.2-9] an alias above our Topic Alias Maximum (2) ends the connection with 0x94.
    c.send(publish("alias/in/y", "bad", { properties: { topicAlias: 3 } }));
    assert.equal(((await c.next("disconnect")) as { reasonCode: number }).reasonCode, 0x94);
    sub.socket.destroy();
  });

  it("topic aliases out: the broker assigns up to the client's Topic Alias Maximum and then sends the alias alone", async () => {
    const sub = await subscribed(t, "alias/out/#", {}, { properties: { topicAliasMaximum: 1 } });
    const c = await rawConnected(t.port, 5);
    for (const topic of ["alias/out/a", "alias/out/a", "alias/out/b"]) c.send(publish(topic, topic));
    await until(() => payloads(sub).length === 3, "three messages");
    const seen = sub.received.filter((p): p is IPublishPacket => p.cmd === "publish").map((p) => [p.topic, p.properties?.topicAlias]);
    assert.deepEqual(seen, [["alias/out/a", 1], ["", 1], ["alias/out/b", undefined]]);
    sub.socket.destroy();
    c.socket.destroy();
  });

  it("receive maximum out: no more QoS 1 in flight than the client's Receive Maximum until it acknowledges (§4.9)", async () => {
    const sub = await subscribed(t, "flow/#", {}, { properties: { receiveMaximum: 2 } });
    const c = await rawConnected(t.port, 5);
    // Three: the broker's own Receive Maximum here is 3.
    for (let i = 1; i <= 3; i++) c.send(publish("flow/x", String(i), { qos: 1, messageId: i }));
    for (let i = 1; i <= 3; i++) await c.next("puback");
    await until(() => payloads(sub).length === 2, "two in flight");
    sub.send({ cmd: "pingreq" });
    await sub.next("pingresp");
    assert.deepEqual(payloads(sub), ["1", "2"]);
    const first = sub.received.find((p) => p.cmd === "publish")!;
    sub.send({ cmd: "puback", messageId: first.messageId });
    await until(() => payloads(sub).length === 3, "the third after an ack");
    sub.socket.destroy();
    c.socket.destroy();
  });

  it("[MQTT-3.3.4-9] receive maximum in: a client with more unacknowledged QoS 2 than ours (3) is disconnected with 0x93", async () => {
    const c = await rawConnected(t.port, 5);
    for (let i = 1; i <= 4; i++) c.send(publish("flowin/x", String(i), { qos: 2, messageId: i }));
    assert.equal(((await c.next("disconnect")) as { reasonCode: number }).reasonCode, 0x93);
  });

  it("[MQTT-3.1.2-25] a message larger than the client's Maximum Packet Size is not sent to it", async () => {
    const sub = await subscribed(t, "big/#", {}, { properties: { maximumPacketSize: 100 } });
    const c = await rawConnected(t.port, 5);
    c.send(publish("big/x", "x".repeat(200), { qos: 1, messageId: 1 }));
    c.send(publish("big/x", "small", { qos: 1, messageId: 2 }));
    await until(() => payloads(sub).length === 1, "the small one");
    assert.deepEqual(payloads(sub), ["small"]);
    sub.socket.destroy();
    c.socket.destroy();
  });

  it("a packet larger than our Maximum Packet Size ends the connection with DISCONNECT 0x95", async () => {
    const c = await rawConnected(t.port, 5);
    c.send(publish("toobig/in", "x".repeat(5000)));
    assert.equal(((await c.next("disconnect")) as { reasonCode: number }).reasonCode, 0x95);
  });

  it("a connection handed in with a lower maxPacketBytes tells MQTT 5 clients that figure and holds them to it", async () => {
    const { createServer } = await import("node:net");
    const server = createServer((socket) => t.broker.handle(socket, undefined, { maxPacketBytes: 1024 }));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const c = await rawConnected((server.address() as { port: number }).port, 5);
    assert.equal((c.received[0] as { properties: { maximumPacketSize: number } }).properties.maximumPacketSize, 1024);
    c.send(publish("toobig/ws", "x".repeat(2000)));
    assert.equal(((await c.next("disconnect")) as { reasonCode: number }).reasonCode, 0x95);
    server.close();
  });

  it("[MQTT-3.3.2-6] message expiry: the interval sent on is what is left; an expired queued message is dropped [MQTT-3.3.2-5]", async () => {
    const sleeper = await subscribed(t, "expiry/#", {}, { clientId: "expiry-sleeper", clean: false, properties: { sessionExpiryInterval: 60 } });
    sleeper.socket.destroy();
    await sleeper.closed;
    const c = await rawConnected(t.port, 5);
    c.send(publish("expiry/short", "short", { qos: 1, messageId: 1, properties: { messageExpiryInterval: 1 } }));
    c.send(publish("expiry/long", "long", { qos: 1, messageId: 2, properties: { messageExpiryInterval: 100 } }));
    await c.next("puback");
    await c.next("puback");
    await new Promise((r) => setTimeout(r, 1100));
    const back = await rawConnected(t.port, 5, { clientId: "expiry-sleeper", clean: false, properties: { sessionExpiryInterval: 60 } });
    const got = (await back.next("publish")) as IPublishPacket;
    assert.equal(got.payload.toString(), "long");
    // At least the 1.1 s slept has gone from the 100 s; a process stalled for seconds beside
    // next build may have lost more (review-12 F5), never less.
    const left = got.properties!.messageExpiryInterval!;
    assert.ok(left <= 99 && left >= 90, String(left));
    back.send({ cmd: "pingreq" });
    await back.next("pingresp");
    assert.deepEqual(payloads(back), ["long"]);
    back.socket.destroy();
    c.socket.destroy();
  });

  it("[MQTT-3.3.2-15..20] payload format, content type, response topic, correlation data and user properties are carried unchanged", async () => {
    const sub = await subscribed(t, "props/#");
    const c = await rawConnected(t.port, 5);
    const properties = {
      payloadFormatIndicator: true,
      contentType: "application/json",
      responseTopic: "props/reply",
      correlationData: Buffer.from([1, 2, 3]),
      userProperties: { a: "1", b: ["x", "y"] },
    };
    c.send(publish("props/x", "{}", { properties }));
    await until(() => payloads(sub).length === 1, "the message");
    const got = sub.received.find((p) => p.cmd === "publish") as IPublishPacket;
    // mqtt-packet parses user properties into a null-prototype object.
    assert.deepEqual({ ...got.properties, userProperties: { ...got.properties?.userProperties } }, properties);
    sub.socket.destroy();
    c.socket.destroy();
  });

  it("[MQTT-3.8.3-3] No Local: a client's own messages are not sent back to it", async () => {
    const c = await subscribed(t, "nolocal/#", { nl: true });
    c.send(publish("nolocal/x", "own"));
    const other = await rawConnected(t.port, 5);
    other.send(publish("nolocal/x", "other"));
    await until(() => payloads(c).length === 1, "the other's message");
    assert.deepEqual(payloads(c), ["other"]);
    c.socket.destroy();
    other.socket.destroy();
  });

  it("[MQTT-3.3.1-12] [MQTT-3.3.1-13] Retain As Published keeps RETAIN on live copies; without it RETAIN is 0", async () => {
    const rap = await subscribed(t, "rap/#", { rap: true });
    const plain = await subscribed(t, "rap/#");
    const c = await rawConnected(t.port, 5);
    c.send(publish("rap/x", "r", { retain: true }));
    await until(() => payloads(rap).length === 1 && payloads(plain).length === 1, "both copies");
    assert.equal((rap.received.find((p) => p.cmd === "publish") as IPublishPacket).retain, true);
    assert.equal((plain.received.find((p) => p.cmd === "publish") as IPublishPacket).retain, false);
    for (const x of [rap, plain, c]) x.socket.destroy();
  });

  it("[MQTT-3.3.1-9..11] Retain Handling: 0 sends retained on every subscribe, 1 only on a new one, 2 never", async () => {
    const c = await rawConnected(t.port, 5);
    c.send(publish("rh/x", "kept", { retain: true, qos: 1, messageId: 1 }));
    await c.next("puback");
    const counts: number[] = [];
    for (const rh of [0, 1, 2]) {
      const s = await rawConnected(t.port, 5);
      for (let i = 0; i < 2; i++) {
        s.send({ cmd: "subscribe", messageId: 10 + i, subscriptions: [{ topic: "rh/#", qos: 1, rh } as never] });
        await s.next("suback");
      }
      s.send({ cmd: "pingreq" });
      await s.next("pingresp");
      counts.push(payloads(s).length);
      s.socket.destroy();
    }
    assert.deepEqual(counts, [2, 1, 0]);
    c.socket.destroy();
  });

  it("subscription identifiers: each copy carries the identifiers of the subscriptions it matched (§3.3.4)", async () => {
    const c = await rawConnected(t.port, 5);
    c.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "ids/+", qos: 1 }], properties: { subscriptionIdentifier: 7 } });
    await c.next("suback");
    c.send({ cmd: "subscribe", messageId: 2, subscriptions: [{ topic: "ids/#", qos: 1 }], properties: { subscriptionIdentifier: 9 } });
    await c.next("suback");
    const p = await rawConnected(t.port, 5);
    p.send(publish("ids/x", "x"));
    const got = (await c.next("publish")) as IPublishPacket;
    assert.deepEqual([got.properties?.subscriptionIdentifier].flat().sort(), [7, 9]);
    c.socket.destroy();
    p.socket.destroy();
  });

  it("[MQTT-4.8.2-…] shared subscriptions: one copy per group, round-robin among its members", async () => {
    const a = await subscribed(t, "$share/g/shared/#");
    const b = await subscribed(t, "$share/g/shared/#");
    const plain = await subscribed(t, "shared/#");
    const p = await rawConnected(t.port, 5);
    for (let i = 1; i <= 4; i++) p.send(publish("shared/x", String(i)));
    await until(() => payloads(plain).length === 4 && payloads(a).length + payloads(b).length === 4, "all copies");
    assert.equal(payloads(a).length, 2);
    assert.equal(payloads(b).length, 2);
    for (const x of [a, b, plain, p]) x.socket.destroy();
  });

  it("[MQTT-3.1.3-9] will delay: a session that reconnects in time cancels the will", async () => {
    const watcher = await subscribed(t, "wd/#");
    // 5 s: the reconnect must reach the broker within the delay, and a process stalled for a
    // second or two beside next build must not make it late (review-12 F5: 1 s was); the
    // wait then outlasts the delay, so a will that was not cancelled is seen.
    const will = { topic: "wd/a", payload: Buffer.from("gone"), qos: 1 as const, retain: false, properties: { willDelayInterval: 5 } };
    const c = await rawConnected(t.port, 5, { clientId: "wd-a", clean: false, will, properties: { sessionExpiryInterval: 60 } });
    c.socket.destroy();
    await c.closed;
    const back = await rawConnected(t.port, 5, { clientId: "wd-a", clean: false, properties: { sessionExpiryInterval: 60 } });
    await new Promise((r) => setTimeout(r, 5200));
    watcher.send({ cmd: "pingreq" });
    await watcher.next("pingresp");
    assert.deepEqual(payloads(watcher), []);
    back.socket.destroy();
    watcher.socket.destroy();
  });

  it("will delay: the will is published when the session ends before the delay does (§3.1.3.2.2)", async () => {
    const watcher = await subscribed(t, "wd2/#");
    const will = { topic: "wd2/b", payload: Buffer.from("gone"), qos: 1 as const, retain: false, properties: { willDelayInterval: 30 } };
    const c = await rawConnected(t.port, 5, { clientId: "wd-b", will, properties: { sessionExpiryInterval: 0 } });
    c.socket.destroy();
    await until(() => payloads(watcher).length === 1, "the will at session end");
    watcher.socket.destroy();
  });

  it("[MQTT-3.14.4-3] DISCONNECT 0x00 discards the will; 0x04 publishes it", async () => {
    const watcher = await subscribed(t, "dw/#");
    for (const reasonCode of [0x00, 0x04]) {
      const c = await rawConnected(t.port, 5, { will: { topic: `dw/${reasonCode}`, payload: Buffer.from("w"), qos: 0, retain: false } });
      c.send({ cmd: "disconnect", reasonCode });
      await c.closed;
    }
    await until(() => payloads(watcher).length === 1, "one will");
    assert.deepEqual(watcher.received.filter((p) => p.cmd === "publish").map((p) => (p as IPublishPacket).topic), ["dw/4"]);
    watcher.socket.destroy();
  });

  it("[MQTT-3.1.2-29] Request Problem Information 0: no reason string on a SUBACK", async () => {
    for (const [requestProblemInformation, hasReason] of [[true, true], [false, false]] as const) {
      const c = await rawConnected(t.port, 5, { properties: { requestProblemInformation } });
      c.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "bad/#/x", qos: 0 }] });
      const suback = (await c.next("suback")) as { granted: number[]; properties?: { reasonString?: string } };
      assert.deepEqual(suback.granted, [0x8f]);
      assert.equal(suback.properties?.reasonString !== undefined, hasReason);
      c.socket.destroy();
    }
  });

  it("[MQTT-3.14.2-2] a DISCONNECT setting session expiry when CONNECT had 0 is a protocol error (0x82)", async () => {
    const c = await rawConnected(t.port, 5);
    c.send({ cmd: "disconnect", reasonCode: 0, properties: { sessionExpiryInterval: 10 } });
    assert.equal(((await c.next("disconnect")) as { reasonCode: number }).reasonCode, 0x82);
  });

  it("UNSUBACK reason codes: 0x00 for a subscription that existed, 0x11 for one that did not", async () => {
    const c = await subscribed(t, "unsub5/#");
    c.send({ cmd: "unsubscribe", messageId: 2, unsubscriptions: ["unsub5/#", "never/#"] });
    assert.deepEqual(((await c.next("unsuback")) as { granted: number[] }).granted, [0x00, 0x11]);
    c.socket.destroy();
  });

  it("the broker shutting down tells MQTT 5 clients DISCONNECT 0x8B", async () => {
    const own = await startTestBroker();
    const c = await rawConnected(own.port, 5);
    const closing = own.close();
    assert.equal(((await c.next("disconnect")) as { reasonCode: number }).reasonCode, 0x8b);
    await closing;
  });
});

// Bounded everywhere (issue 12): a session's queue has a limit (QoS 0 dropped first,
// then the oldest, counted and logged as "queue-full"), and a subscriber whose socket
// stops draining never holds up anyone else.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { generate, type IPublishPacket } from "mqtt-packet";
import { quietLog, startTestBroker } from "./test-server";
import { collect, connectClient, rawConnected, until } from "./test-clients";

const publish = (topic: string, payload: string | Buffer, qos: 0 | 1, messageId?: number): IPublishPacket => ({
  cmd: "publish", topic, payload: typeof payload === "string" ? Buffer.from(payload) : payload, qos, dup: false, retain: false, messageId,
});

describe("bounded", () => {
  it("a full queue drops a queued QoS 0 message first, then the oldest; counted and logged as queue-full", async () => {
    const lines: string[] = [];
    const t = await startTestBroker({ limits: { maxQueuedMessages: 3 }, log: quietLog(lines) });
    // Receive Maximum 1 and no PUBACK: one message in flight, the rest queue.
    const sub = await rawConnected(t.port, 5, { properties: { receiveMaximum: 1 } });
    sub.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "q/#", qos: 1 }] });
    await sub.next("suback");
    const pub = await rawConnected(t.port, 4);
    let id = 0;
    for (const [payload, qos] of [["first", 1], ["a", 1], ["b", 0], ["c", 1], ["d", 1], ["e", 1]] as const) {
      pub.send(publish("q/x", payload, qos, qos ? ++id : undefined));
    }
    for (let i = 0; i < id; i++) await pub.next("puback");
    const got: string[] = [];
    for (let i = 0; i < 4; i++) {
      const p = (await sub.next("publish")) as IPublishPacket;
      got.push(p.payload.toString());
      sub.send({ cmd: "puback", messageId: p.messageId });
    }
    assert.deepEqual(got, ["first", "c", "d", "e"]);
    assert.equal(t.broker.stats().dropped.queueFull, 2);
    assert.ok(lines.some((l) => l.includes("queue-full")));
    sub.socket.destroy();
    pub.socket.destroy();
    await t.close();
  });

  // review-5 #12: the window was the packet-id space, 65,535 messages (and stored rows) per stuck session.
  it("a 3.1.1 subscriber that never acknowledges has at most maxInflightMessages in flight; the rest queue under maxQueuedMessages", async () => {
    const t = await startTestBroker({ limits: { maxInflightMessages: 3, maxQueuedMessages: 2 } });
    const sub = await rawConnected(t.port, 4, { clientId: "stuck", clean: false });
    sub.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "w/#", qos: 1 }] });
    await sub.next("suback");
    const pub = await rawConnected(t.port, 4);
    for (let i = 1; i <= 10; i++) pub.send(publish("w/x", String(i), 1, i));
    for (let i = 1; i <= 10; i++) await pub.next("puback");
    // Everything the broker sent before this PINGRESP has arrived (one socket, in order).
    sub.send({ cmd: "pingreq" });
    await sub.next("pingresp");
    const sent = () => sub.received.filter((p): p is IPublishPacket => p.cmd === "publish").map((p) => p.payload.toString());
    assert.deepEqual(sent(), ["1", "2", "3"]);
    assert.equal(t.broker.stats().dropped.queueFull, 5);
    // One PUBACK frees one slot: the oldest still queued goes.
    sub.send({ cmd: "puback", messageId: (sub.received.find((p) => p.cmd === "publish") as IPublishPacket).messageId });
    await until(() => sent().length === 4, "the next queued message");
    assert.deepEqual(sent(), ["1", "2", "3", "9"]);
    sub.socket.destroy();
    pub.socket.destroy();
    await t.close();
  });

  // The bench's QoS 1 pairs burst lost 1,000 of 3,000 per lane (issue 12): the whole burst was
  // routed in the turn it was read, before the subscriber's PUBACKs could refill its window.
  it("a burst larger than window + queue, arriving in one read, reaches a 3.1.1 subscriber that keeps acknowledging: nothing dropped", async () => {
    const lines: string[] = [];
    const t = await startTestBroker({ limits: { maxInflightMessages: 10, maxQueuedMessages: 10, packetsPerTurn: 2 }, log: quietLog(lines) });
    const sub = await connectClient(t.port, { protocolVersion: 4, clientId: "reading-sub" }); // mqtt.js: PUBACK on arrival
    const pub = await rawConnected(t.port, 4);
    try {
      const got = collect(sub);
      await sub.subscribeAsync("burst/#", { qos: 1 });
      const count = 200;
      const packets = Array.from({ length: count }, (_, i) => generate(publish("burst/x", String(i + 1), 1, i + 1)));
      pub.socket.write(Buffer.concat(packets)); // one write: one read on the broker's side
      for (let i = 0; i < count; i++) await pub.next("puback");
      await until(() => got.length === count || t.broker.stats().dropped.queueFull > 0, "every message, or a drop");
      assert.equal(t.broker.stats().dropped.queueFull, 0, lines.join("\n"));
      await until(() => got.length === count, "every message at the subscriber");
      assert.deepEqual(got.map((m) => m.payload), Array.from({ length: count }, (_, i) => String(i + 1)));
    } finally {
      sub.end(true);
      pub.socket.destroy();
      await t.close();
    }
  });

  it("an offline persistent session keeps at most maxQueuedMessages, the newest", async () => {
    const t = await startTestBroker({ limits: { maxQueuedMessages: 2 } });
    const sleeper = await rawConnected(t.port, 4, { clientId: "bounded-sleeper", clean: false });
    sleeper.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "s/#", qos: 1 }] });
    await sleeper.next("suback");
    sleeper.socket.destroy();
    await sleeper.closed;
    const pub = await rawConnected(t.port, 4);
    for (let i = 1; i <= 4; i++) pub.send(publish("s/x", String(i), 1, i));
    for (let i = 1; i <= 4; i++) await pub.next("puback");
    const back = await rawConnected(t.port, 4, { clientId: "bounded-sleeper", clean: false });
    const got = [(await back.next("publish")) as IPublishPacket, (await back.next("publish")) as IPublishPacket].map((p) => p.payload.toString());
    assert.deepEqual(got, ["3", "4"]);
    back.socket.destroy();
    pub.socket.destroy();
    await t.close();
  });

  it("a subscriber that stops reading never holds up the others; its deliveries are bounded", async () => {
    const t = await startTestBroker({ limits: { maxQueuedMessages: 100 } });
    const frozen = await rawConnected(t.port, 4);
    frozen.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "flood/#", qos: 1 }] });
    await frozen.next("suback");
    frozen.socket.pause(); // stops reading: the kernel's buffers fill, then the broker's
    const fast = await rawConnected(t.port, 4);
    fast.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "flood/#", qos: 0 }] });
    await fast.next("suback");
    const pub = await rawConnected(t.port, 4);
    // 19 MB: more than the kernel's socket buffers, the broker's write buffer (1 MiB) and 100 queued messages hold.
    const count = 600;
    const payload = Buffer.alloc(32 * 1024, 1);
    // A well-behaved publisher: ten in flight at a time.
    for (let i = 1; i <= count; i += 10) {
      for (let j = i; j < i + 10; j++) pub.send(publish("flood/x", payload, 1, j));
      for (let j = i; j < i + 10; j++) await pub.next("puback");
    }
    await until(() => fast.received.filter((p) => p.cmd === "publish").length === count, "every message at the fast subscriber");
    assert.ok(t.broker.stats().dropped.queueFull > 0, "the frozen subscriber's queue overflowed and was cut");
    frozen.socket.destroy();
    fast.socket.destroy();
    pub.socket.destroy();
    await t.close();
  });
});

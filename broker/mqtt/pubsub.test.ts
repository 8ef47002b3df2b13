// PUBLISH, SUBSCRIBE, retained messages, wills and sessions: MQTT 3.1.1 parity, with
// mqtt.js and raw packets over loopback TCP.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startTestBroker, type TestBroker } from "./test-server";
import { collect, connectClient, rawConnected, until } from "./test-clients";

describe("publish and subscribe (3.1.1)", () => {
  let t: TestBroker;
  before(async () => {
    t = await startTestBroker({ sysIntervalMs: 100 });
  });
  after(() => t.close());

  it("QoS 0, 1 and 2 reach a subscriber at min(published, granted) QoS [MQTT-3.8.4-6]", async () => {
    const sub = await connectClient(t.port);
    const seen = collect(sub);
    await sub.subscribeAsync("q/two/#", { qos: 2 });
    await sub.subscribeAsync("q/one/#", { qos: 1 });
    const pub = await connectClient(t.port);
    for (const qos of [0, 1, 2] as const) {
      await pub.publishAsync(`q/two/${qos}`, `two ${qos}`, { qos });
      await pub.publishAsync(`q/one/${qos}`, `one ${qos}`, { qos });
    }
    await until(() => seen.length === 6, "six messages");
    const got = seen.map((m) => `${m.topic}@${m.qos}`).sort();
    assert.deepEqual(got, ["q/one/0@0", "q/one/1@1", "q/one/2@1", "q/two/0@0", "q/two/1@1", "q/two/2@2"]);
    await pub.endAsync();
    await sub.endAsync();
  });

  it("one QoS 1 message to several subscribers: each copy has that subscriber's own packet id, the same topic and payload", async () => {
    const subs = await Promise.all([4, 4, 5].map(async (version) => {
      const c = await rawConnected(t.port, version as 4 | 5);
      c.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "fan1/#", qos: 1 }] });
      await c.next("suback");
      return c;
    }));
    // The first subscriber has used packet ids already, so the copies' ids differ.
    subs[0].send({ cmd: "subscribe", messageId: 2, subscriptions: [{ topic: "fan1-warm", qos: 1 }] });
    await subs[0].next("suback");
    const pub = await connectClient(t.port);
    await pub.publishAsync("fan1-warm", "w", { qos: 1 });
    await subs[0].next("publish");
    await pub.publishAsync("fan1/x", "shared", { qos: 1 });
    const copies = await Promise.all(subs.map((c) => c.next("publish") as Promise<{ topic: string; payload: Buffer; messageId: number }>));
    assert.deepEqual(copies.map((p) => `${p.topic} ${p.payload}`), ["fan1/x shared", "fan1/x shared", "fan1/x shared"]);
    assert.deepEqual(copies.map((p) => p.messageId), [2, 1, 1]);
    for (const c of subs) c.socket.destroy();
    await pub.endAsync();
  });

  it("[MQTT-4.6.0-2] PUBACKs come back in the order the PUBLISHes were sent", async () => {
    const c = await rawConnected(t.port, 4);
    for (let id = 1; id <= 20; id++) c.send({ cmd: "publish", topic: "order/x", payload: Buffer.from(String(id)), qos: 1, dup: false, retain: false, messageId: id });
    const ids: number[] = [];
    for (let i = 0; i < 20; i++) ids.push((await c.next("puback")).messageId!);
    assert.deepEqual(ids, Array.from({ length: 20 }, (_, i) => i + 1));
    c.socket.destroy();
  });

  it("QoS 2 inbound: PUBREC, PUBREL, PUBCOMP; a resent PUBLISH before PUBREL is not delivered twice", async () => {
    const sub = await connectClient(t.port);
    const seen = collect(sub);
    await sub.subscribeAsync("q2/once", { qos: 2 });
    const c = await rawConnected(t.port, 4);
    const publish = { cmd: "publish", topic: "q2/once", payload: Buffer.from("x"), qos: 2, dup: false, retain: false, messageId: 7 } as const;
    c.send(publish);
    assert.equal((await c.next("pubrec")).messageId, 7);
    c.send({ ...publish, dup: true });
    assert.equal((await c.next("pubrec")).messageId, 7);
    c.send({ cmd: "pubrel", messageId: 7 });
    assert.equal((await c.next("pubcomp")).messageId, 7);
    c.send({ ...publish, topic: "q2/once", payload: Buffer.from("marker"), qos: 0, messageId: undefined });
    await until(() => seen.some((m) => m.payload === "marker"), "the marker");
    assert.deepEqual(seen.map((m) => m.payload), ["x", "marker"]);
    c.socket.destroy();
    await sub.endAsync();
  });

  it("[MQTT-3.3.1-6] [MQTT-3.3.1-8] a retained message goes to a new subscriber with RETAIN 1; live copies have RETAIN 0 [MQTT-3.3.1-9]", async () => {
    const pub = await connectClient(t.port);
    await pub.publishAsync("ret/a", "first", { qos: 1, retain: true });
    await pub.publishAsync("ret/a", "second", { qos: 1, retain: true });
    const sub = await connectClient(t.port);
    const seen = collect(sub);
    await sub.subscribeAsync("ret/+", { qos: 1 });
    await until(() => seen.length === 1, "the retained message");
    assert.deepEqual([seen[0].payload, seen[0].retain], ["second", true]);
    await pub.publishAsync("ret/a", "third", { qos: 1, retain: true });
    await until(() => seen.length === 2, "the live copy");
    assert.deepEqual([seen[1].payload, seen[1].retain], ["third", false]);
    await pub.endAsync();
    await sub.endAsync();
  });

  it("[MQTT-3.3.1-10] [MQTT-3.3.1-11] an empty retained message clears the topic's retained message", async () => {
    const pub = await connectClient(t.port);
    await pub.publishAsync("clear/a", "x", { qos: 1, retain: true });
    await pub.publishAsync("clear/a", "", { qos: 1, retain: true });
    await pub.publishAsync("clear/b", "marker", { qos: 1, retain: true });
    const sub = await connectClient(t.port);
    const seen = collect(sub);
    await sub.subscribeAsync("clear/#", { qos: 1 });
    await until(() => seen.length >= 1, "the marker");
    assert.deepEqual(seen.map((m) => m.topic), ["clear/b"]);
    assert.equal(t.broker.stats().retained >= 1, true);
    await pub.endAsync();
    await sub.endAsync();
  });

  it("+ matches one level, # any number, and [MQTT-4.7.2-1] neither matches $SYS at the start", async () => {
    const plus = await connectClient(t.port);
    const hash = await connectClient(t.port);
    const sys = await connectClient(t.port);
    const [seenPlus, seenHash, seenSys] = [collect(plus), collect(hash), collect(sys)];
    await plus.subscribeAsync("wild/+/temperature");
    await hash.subscribeAsync("#");
    await sys.subscribeAsync("$SYS/#");
    const pub = await connectClient(t.port, { clientId: "sys-trigger" });
    for (const topic of ["wild/attic/temperature", "wild/a/b/temperature", "wild/temperature", "wild/done"]) await pub.publishAsync(topic, "1", { qos: 1 });
    await until(() => seenHash.some((m) => m.topic === "wild/done"), "the marker");
    await until(() => seenSys.some((m) => m.topic === "$SYS/broker/new/clients" && m.payload === "sys-trigger"), "$SYS new client");
    await until(() => seenSys.some((m) => m.topic === "$SYS/broker/uptime"), "$SYS uptime");
    assert.deepEqual(seenPlus.map((m) => m.topic), ["wild/attic/temperature"]);
    assert.deepEqual(seenHash.filter((m) => m.topic.startsWith("$")), []);
    for (const c of [plus, hash, sys, pub]) await c.endAsync();
  });

  it("UNSUBSCRIBE stops deliveries [MQTT-3.10.4-2]", async () => {
    const sub = await connectClient(t.port);
    const seen = collect(sub);
    await sub.subscribeAsync("unsub/#");
    await sub.unsubscribeAsync("unsub/#");
    await sub.subscribeAsync("unsub-marker");
    const pub = await connectClient(t.port);
    await pub.publishAsync("unsub/x", "no", { qos: 1 });
    await pub.publishAsync("unsub-marker", "yes", { qos: 1 });
    await until(() => seen.length > 0, "the marker");
    assert.deepEqual(seen.map((m) => m.payload), ["yes"]);
    await pub.endAsync();
    await sub.endAsync();
  });

  it("[MQTT-3.1.2-8] a client that drops without DISCONNECT has its will published; [MQTT-3.1.2-10] a DISCONNECT discards it", async () => {
    const watcher = await connectClient(t.port);
    const seen = collect(watcher);
    await watcher.subscribeAsync("will/#", { qos: 1 });
    const abrupt = await connectClient(t.port, { clientId: "abrupt", will: { topic: "will/abrupt", payload: Buffer.from("offline"), qos: 1, retain: true } });
    const polite = await connectClient(t.port, { clientId: "polite", will: { topic: "will/polite", payload: Buffer.from("offline"), qos: 1, retain: false } });
    await polite.endAsync();
    abrupt.stream.destroy();
    await until(() => seen.some((m) => m.topic === "will/abrupt"), "the will");
    assert.deepEqual(seen.map((m) => m.topic), ["will/abrupt"]);
    await abrupt.endAsync(true);
    await watcher.endAsync();
  });

  it("a persistent session (clean=false) gets sessionPresent and the QoS 1 messages queued while it was away", async () => {
    const options = { clientId: "sleeper", clean: false } as const;
    const first = await connectClient(t.port, options);
    await first.subscribeAsync("persist/#", { qos: 1 });
    await first.endAsync();
    const pub = await connectClient(t.port);
    for (const n of [1, 2, 3]) await pub.publishAsync(`persist/${n}`, `away ${n}`, { qos: 1 });
    await pub.publishAsync("persist/zero", "not kept", { qos: 0 });
    const back = await rawConnected(t.port, 4, { clientId: "sleeper", clean: false });
    assert.equal((back.received[0] as { sessionPresent: boolean }).sessionPresent, true);
    const payloads: string[] = [];
    for (let i = 0; i < 3; i++) {
      const p = (await back.next("publish")) as { payload: Buffer; messageId: number };
      payloads.push(p.payload.toString());
      back.send({ cmd: "puback", messageId: p.messageId });
    }
    assert.deepEqual(payloads, ["away 1", "away 2", "away 3"]);
    back.socket.destroy();
    await pub.endAsync();
  });

  it("a clean session starts without the old session's subscriptions (sessionPresent 0)", async () => {
    const first = await connectClient(t.port, { clientId: "cleaner", clean: false });
    await first.subscribeAsync("cleaner/#", { qos: 1 });
    await first.endAsync();
    const again = await rawConnected(t.port, 4, { clientId: "cleaner", clean: true });
    assert.equal((again.received[0] as { sessionPresent: boolean }).sessionPresent, false);
    const pub = await connectClient(t.port);
    await pub.publishAsync("cleaner/x", "x", { qos: 1 });
    again.send({ cmd: "pingreq" });
    await again.next("pingresp");
    assert.equal(again.received.some((p) => p.cmd === "publish"), false);
    again.socket.destroy();
    await pub.endAsync();
  });

  it("QoS 1 and 2 to a subscriber: retransmitted with DUP after a reconnect until acknowledged [MQTT-4.4.0-1]", async () => {
    const sub = await rawConnected(t.port, 4, { clientId: "unacked", clean: false });
    sub.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "dup/#", qos: 2 }] });
    await sub.next("suback");
    const pub = await connectClient(t.port);
    await pub.publishAsync("dup/1", "one", { qos: 1 });
    await pub.publishAsync("dup/2", "two", { qos: 2 });
    const p1 = (await sub.next("publish")) as { messageId: number; dup: boolean };
    const p2 = (await sub.next("publish")) as { messageId: number };
    sub.send({ cmd: "pubrec", messageId: p2.messageId });
    await sub.next("pubrel");
    sub.socket.destroy();
    await sub.closed;
    const back = await rawConnected(t.port, 4, { clientId: "unacked", clean: false });
    const again = (await back.next("publish")) as { messageId: number; dup: boolean; payload: Buffer };
    assert.deepEqual([again.messageId, again.dup, again.payload.toString()], [p1.messageId, true, "one"]);
    assert.equal((await back.next("pubrel")).messageId, p2.messageId);
    back.socket.destroy();
    await pub.endAsync();
  });
});

// Durable state through the BrokerStore: everything restored from load() at start, and
// "acknowledged means stored". A restart hands one store's load() to the next broker;
// a crash is a load() taken while clients are still connected.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { IPublishPacket } from "mqtt-packet";
import { createMemoryStore } from "./memory-store";
import type { BrokerStore, RestoredState } from "./store";
import { startTestBroker } from "./test-server";
import { collect, connectClient, rawConnected, until } from "./test-clients";

const publish = (topic: string, payload: string, extra: Partial<IPublishPacket> = {}): IPublishPacket => ({
  cmd: "publish", topic, payload: Buffer.from(payload), qos: 1, dup: false, retain: false, ...extra,
});

describe("durable state", { concurrency: true }, () => {
  it("after a clean restart: retained messages, a persistent session with sessionPresent, and its queued QoS 1 messages", async () => {
    const store = createMemoryStore();
    const first = await startTestBroker({ store });
    const sleeper = await connectClient(first.port, { clientId: "sleeper", clean: false });
    await sleeper.subscribeAsync("home/#", { qos: 1 });
    await sleeper.endAsync();
    const pub = await connectClient(first.port);
    await pub.publishAsync("home/kitchen/lamp/state", "ON", { qos: 1, retain: true });
    await pub.publishAsync("home/attic/temperature", "21.5", { qos: 1 });
    await pub.endAsync();
    await first.close();

    const second = await startTestBroker({ store: createMemoryStore(await store.load()) });
    const back = await rawConnected(second.port, 4, { clientId: "sleeper", clean: false });
    assert.equal((back.received[0] as { sessionPresent: boolean }).sessionPresent, true);
    const got: string[] = [];
    for (let i = 0; i < 2; i++) {
      const p = (await back.next("publish")) as IPublishPacket;
      got.push(`${p.topic} ${p.payload}`);
      back.send({ cmd: "puback", messageId: p.messageId });
    }
    assert.deepEqual(got, ["home/kitchen/lamp/state ON", "home/attic/temperature 21.5"]);
    const newcomer = await connectClient(second.port);
    const seen = collect(newcomer);
    await newcomer.subscribeAsync("home/kitchen/#");
    await until(() => seen.length === 1, "the retained state");
    assert.deepEqual([seen[0].payload, seen[0].retain], ["ON", true]);
    // The session's subscriptions came back too: a new message reaches it.
    const pub2 = await connectClient(second.port);
    await pub2.publishAsync("home/attic/humidity", "40", { qos: 1 });
    assert.equal(((await back.next("publish")) as IPublishPacket).topic, "home/attic/humidity");
    back.socket.destroy();
    await newcomer.endAsync();
    await pub2.endAsync();
    await second.close();
  });

  it("after a crash: a client left connected has its will published (after its delay), and its session expiry counts from the start", async () => {
    const store = createMemoryStore();
    const first = await startTestBroker({ store });
    const will = { topic: "home/plug/availability", payload: Buffer.from("offline"), qos: 1 as const, retain: true };
    const device = await rawConnected(first.port, 4, { clientId: "plug", clean: true, will });
    // A crash: the state as the store holds it while the device is still connected.
    const crashed = await store.load();
    device.socket.destroy();
    await first.close();

    const second = await startTestBroker({ store: createMemoryStore(crashed) });
    const watcher = await connectClient(second.port);
    const seen = collect(watcher);
    await watcher.subscribeAsync("home/plug/#", { qos: 1 });
    await until(() => seen.some((m) => m.payload === "offline"), "the will");
    await watcher.endAsync();
    await second.close();
  });

  it("session expiry counts across a restart: a session that expired while the broker was down is gone", async () => {
    const store = createMemoryStore();
    const first = await startTestBroker({ store });
    const c = await rawConnected(first.port, 5, { clientId: "short", clean: false, properties: { sessionExpiryInterval: 1 } });
    c.socket.destroy();
    await c.closed;
    await first.close();
    await new Promise((r) => setTimeout(r, 1100));
    const second = await startTestBroker({ store: createMemoryStore(await store.load()) });
    const back = await rawConnected(second.port, 5, { clientId: "short", clean: false, properties: { sessionExpiryInterval: 1 } });
    assert.equal((back.received[0] as { sessionPresent: boolean }).sessionPresent, false);
    back.socket.destroy();
    await second.close();
  });

  it("in-flight messages survive a restart and are resent with DUP [MQTT-4.4.0-1]", async () => {
    const store = createMemoryStore();
    const first = await startTestBroker({ store });
    const sub = await rawConnected(first.port, 4, { clientId: "inflight", clean: false });
    sub.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "if/#", qos: 1 }] });
    await sub.next("suback");
    const pub = await rawConnected(first.port, 4);
    pub.send(publish("if/x", "unacked", { messageId: 3 }));
    await pub.next("puback");
    const sent = (await sub.next("publish")) as IPublishPacket;
    sub.socket.destroy();
    await sub.closed;
    pub.socket.destroy();
    await first.close();

    const second = await startTestBroker({ store: createMemoryStore(await store.load()) });
    const back = await rawConnected(second.port, 4, { clientId: "inflight", clean: false });
    const again = (await back.next("publish")) as IPublishPacket;
    assert.deepEqual([again.messageId, again.dup, again.payload.toString()], [sent.messageId, true, "unacked"]);
    back.socket.destroy();
    await second.close();
  });

  // The PUBREC never reached the client before a crash; after the restart it sends the message again, DUP=1.
  it("a QoS 2 PUBLISH resent (DUP) after a crash is acknowledged from the stored packet id, not routed again [MQTT-4.3.3-9]", async () => {
    const store = createMemoryStore();
    const first = await startTestBroker({ store });
    const pub = await rawConnected(first.port, 4, { clientId: "resender-2", clean: false });
    pub.send(publish("dupin2/x", "once", { qos: 2, messageId: 5 }));
    await pub.next("pubrec");
    const crashed = await store.load();
    pub.socket.destroy();
    await first.close();

    const { again, seen, close } = await resendAfterRestart(crashed, "resender-2", 2);
    assert.equal((await again.next("pubrec")).messageId, 5);
    again.send({ cmd: "pubrel", messageId: 5 });
    assert.equal((await again.next("pubcomp")).messageId, 5);
    assert.deepEqual(await afterMarker(again, seen, "dupin2/x"), ["marker"]);
    await close();
  });

  // QoS 1 ids are never stored: after a crash a resend cannot be told from a new message under a reused id.
  it("a QoS 1 PUBLISH with the id of one already acknowledged is a new message, DUP or not [MQTT-4.3.2-2]", async () => {
    const store = createMemoryStore();
    const first = await startTestBroker({ store });
    const pub = await rawConnected(first.port, 4, { clientId: "reuser", clean: false });
    pub.send(publish("reuse/x", "first", { messageId: 5 }));
    await pub.next("puback");
    const state = await store.load();
    assert.deepEqual(state.sessions.find((s) => s.clientId === "reuser")?.inbound, [], "no id kept once the PUBACK is out");
    pub.socket.destroy();
    await first.close();

    const { again, seen, close } = await resendAfterRestart(state, "reuser", 1);
    await until(() => seen.length === 1, "the message");
    assert.deepEqual(seen.map((m) => m.payload), ["first"]);
    await close();
  });

  it("acknowledged means stored: no PUBACK / PUBREC before store.commit() resolves; QoS 0 and subscribers do not wait", async () => {
    const inner = createMemoryStore();
    let held: (() => void)[] = [];
    let holding = false;
    const store: BrokerStore = {
      ...inner,
      commit: () => (holding ? new Promise<void>((resolve) => held.push(resolve)) : inner.commit()),
    };
    const t = await startTestBroker({ store });
    const sub = await rawConnected(t.port, 4);
    sub.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "held/#", qos: 1 }] });
    await sub.next("suback");
    const c = await rawConnected(t.port, 4);
    holding = true;
    c.send(publish("held/a", "q1", { messageId: 1, retain: true }));
    c.send(publish("held/b", "q2", { messageId: 2, qos: 2 }));
    c.send(publish("held/c", "q0", { qos: 0 }));
    await until(() => sub.received.filter((p) => p.cmd === "publish").length === 3, "all three at the subscriber");
    assert.equal(c.received.some((p) => p.cmd === "puback" || p.cmd === "pubrec"), false);
    holding = false;
    for (const resolve of held) resolve();
    held = [];
    assert.equal((await c.next("puback")).messageId, 1);
    assert.equal((await c.next("pubrec")).messageId, 2);
    c.socket.destroy();
    sub.socket.destroy();
    await t.close();
  });
});

/** A second broker from `state`; the publisher reconnects and sends message 5 ("once", DUP=1) while a subscriber watches. */
async function resendAfterRestart(state: RestoredState, clientId: string, qos: 1 | 2) {
  const store = createMemoryStore(state);
  const second = await startTestBroker({ store });
  const sub = await connectClient(second.port);
  const seen = collect(sub);
  const topic = qos === 1 && clientId === "reuser" ? "reuse/#" : `dupin${qos}/#`;
  await sub.subscribeAsync(topic, { qos });
  const again = await rawConnected(second.port, 4, { clientId, clean: false });
  const payload = clientId === "reuser" ? "first" : "once";
  again.send(publish(topic.replace("#", "x"), payload, { qos, messageId: 5, dup: true }));
  return {
    again,
    seen,
    store,
    close: async () => {
      again.socket.destroy();
      await sub.endAsync();
      await second.close();
    },
  };
}

/** What the subscriber got once a QoS 0 marker published after the resend has arrived. */
async function afterMarker(again: Awaited<ReturnType<typeof rawConnected>>, seen: ReturnType<typeof collect>, topic: string) {
  again.send(publish(topic, "marker", { qos: 0 }));
  await until(() => seen.some((m) => m.payload === "marker"), "the marker");
  return seen.map((m) => m.payload);
}

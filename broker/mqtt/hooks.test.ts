// The broker asks its hooks as hooks.ts says, and words each refusal in the client's protocol.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { BrokerHook, PublishedMessage } from "./hooks";
import { startTestBroker, type TestBroker } from "./test-server";
import { connectClient, rawClient, rawConnected, until } from "./test-clients";

type Principal = { name: string };

describe("hooks", () => {
  let t: TestBroker;
  const published: PublishedMessage[] = [];
  const events: string[] = [];
  let hold: Promise<void> | null = null;
  const counts: string[] = [];
  const hook: BrokerHook<Principal> = {
    onConnectionOpen: () => null,
    async authenticate(client, { username, password }) {
      if (username === "bad") return { ok: false, refusal: { code: "bad-password", reasonCode: 0x86, message: "wrong password" } };
      if (username === "banned") return { ok: false, refusal: { code: "banned", reasonCode: 0x8a, message: "banned" } };
      return { ok: true, principal: { name: `${client.clientId}:${username ?? "anonymous"}:${password?.toString() ?? ""}` } };
    },
    authorizePublish: (_client, m) => {
      if (m.topic === "boom/x") throw new Error("a bug in a hook");
      return m.topic.startsWith("secret/") ? { code: "publish-denied", reasonCode: 0x87, message: "not yours" } : null;
    },
    authorizeSubscribe: (_client, s, count) => {
      counts.push(`${s.filter}:${count}`);
      return s.filter.startsWith("secret/") ? { code: "subscribe-denied", reasonCode: 0x87, message: "not yours" } : null;
    },
    onPublished(message) {
      published.push(message);
      return message.topic === "slow/x" && hold ? hold : undefined;
    },
    onConnected: (client) => events.push(`connected ${client.clientId} ${client.principal.name}`),
    onDisconnected: (client, reason) => events.push(`disconnected ${client.clientId} ${reason}`),
  };
  before(async () => {
    t = await startTestBroker<Principal>({ hooks: [hook] });
  });
  after(() => t.close());

  it("authenticate decides the principal; onConnected and onDisconnected see it", async () => {
    const c = await connectClient(t.port, { clientId: "who", username: "ann", password: "pw" });
    await c.endAsync();
    await until(() => events.includes("disconnected who client-disconnect"), "onDisconnected");
    assert.ok(events.includes("connected who who:ann:pw"));
  });

  for (const [version, username, expected] of [
    [4, "bad", { returnCode: 4 }],
    [4, "banned", { returnCode: 5 }],
    [5, "bad", { reasonCode: 0x86 }],
    [5, "banned", { reasonCode: 0x8a }],
  ] as const) {
    it(`a refused CONNECT: MQTT ${version === 4 ? "3.1.1" : "5"} CONNACK ${JSON.stringify(expected)} for ${username}, then the connection closes [MQTT-3.2.2-5]`, async () => {
      const c = await rawClient(t.port, version);
      c.send({ cmd: "connect", protocolId: "MQTT", protocolVersion: version, clean: true, keepalive: 0, clientId: `refused-${version}`, username });
      const connack = (await c.next("connack")) as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(expected)) assert.equal(connack[key], value);
      await c.closed;
    });
  }

  it("[MQTT-3.3.5-2] 3.1.1: a refused PUBLISH closes the connection", async () => {
    const c = await rawConnected(t.port, 4);
    c.send({ cmd: "publish", topic: "secret/x", payload: Buffer.from("x"), qos: 1, dup: false, retain: false, messageId: 1 });
    await c.closed;
    assert.equal(c.received.some((p) => p.cmd === "puback"), false);
  });

  it("MQTT 5: a refused PUBLISH gets PUBACK / PUBREC with the hook's reason code (0x87) and the connection stays", async () => {
    const c = await rawConnected(t.port, 5);
    c.send({ cmd: "publish", topic: "secret/x", payload: Buffer.from("x"), qos: 1, dup: false, retain: false, messageId: 1 });
    assert.equal(((await c.next("puback")) as { reasonCode: number }).reasonCode, 0x87);
    c.send({ cmd: "publish", topic: "secret/x", payload: Buffer.from("x"), qos: 2, dup: false, retain: false, messageId: 2 });
    assert.equal(((await c.next("pubrec")) as { reasonCode: number }).reasonCode, 0x87);
    c.send({ cmd: "pingreq" });
    await c.next("pingresp");
    c.socket.destroy();
  });

  it("a refused subscription: SUBACK 0x80 in 3.1.1 [MQTT-3.9.3-…], the hook's 0x87 in MQTT 5, per filter", async () => {
    for (const [version, refused] of [[4, 0x80], [5, 0x87]] as const) {
      const c = await rawConnected(t.port, version);
      c.send({ cmd: "subscribe", messageId: 3, subscriptions: [{ topic: "open/#", qos: 1 }, { topic: "secret/#", qos: 1 }] });
      assert.deepEqual(((await c.next("suback")) as { granted: number[] }).granted, [1, refused]);
      c.socket.destroy();
    }
  });

  it("acknowledged means stored: PUBACK waits for the onPublished hook's promise; subscribers get the message at once", async () => {
    let release!: () => void;
    hold = new Promise<void>((resolve) => (release = resolve));
    const sub = await rawConnected(t.port, 4);
    sub.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "slow/#", qos: 0 }] });
    await sub.next("suback");
    const c = await rawConnected(t.port, 4);
    c.send({ cmd: "publish", topic: "slow/x", payload: Buffer.from("x"), qos: 1, dup: false, retain: false, messageId: 9 });
    c.send({ cmd: "publish", topic: "fast/x", payload: Buffer.from("y"), qos: 1, dup: false, retain: false, messageId: 10 });
    await sub.next("publish");
    c.send({ cmd: "pingreq" });
    await c.next("pingresp");
    assert.equal(c.received.some((p) => p.cmd === "puback"), false, "no PUBACK before the hook's promise resolves");
    release();
    // [MQTT-4.6.0-2] the second one waited too: acknowledgements keep their order.
    assert.equal((await c.next("puback")).messageId, 9);
    assert.equal((await c.next("puback")).messageId, 10);
    hold = null;
    c.socket.destroy();
    sub.socket.destroy();
  });

  it("authorizeSubscribe counts the client's other subscriptions: a filter it holds is replaced, not added [MQTT-3.8.4-3]", async () => {
    const c = await rawConnected(t.port, 4);
    counts.length = 0;
    for (const topic of ["count/a", "count/b", "count/a"]) {
      c.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic, qos: 0 }] });
      await c.next("suback");
    }
    assert.deepEqual(counts, ["count/a:0", "count/b:1", "count/a:1"]);
    c.socket.destroy();
  });

  it("a hook that throws costs that connection (MQTT 5: DISCONNECT 0x83), not the broker", async () => {
    const c = await rawConnected(t.port, 5);
    c.send({ cmd: "publish", topic: "boom/x", payload: Buffer.from("x"), qos: 0, dup: false, retain: false });
    assert.equal(((await c.next("disconnect")) as { reasonCode: number }).reasonCode, 0x83);
    const other = await connectClient(t.port);
    await other.publishAsync("still/here", "yes", { qos: 1 });
    await other.endAsync();
  });

  it("the hub's own publish reaches subscribers and the onPublished hooks with clientId null", async () => {
    const sub = await connectClient(t.port);
    const seen: string[] = [];
    sub.on("message", (topic, payload) => seen.push(`${topic} ${payload}`));
    await sub.subscribeAsync("hub/#");
    await t.broker.publish({ topic: "hub/alert", payload: "on", qos: 1, retain: true });
    await until(() => seen.length === 1, "the hub's message");
    assert.deepEqual(seen, ["hub/alert on"]);
    assert.equal(published.find((m) => m.topic === "hub/alert")?.clientId, null);
    await assert.rejects(t.broker.publish({ topic: "bad/#", payload: "x" }), { code: "topic-name-invalid" });
    await sub.endAsync();
  });
});

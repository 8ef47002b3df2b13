// CONNECT, CONNACK and the connection's life, MQTT 3.1.1 and 5.0, over loopback TCP.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startTestBroker, type TestBroker } from "./test-server";
import { collect, connectClient, rawClient, rawConnected, until } from "./test-clients";

describe("CONNECT", () => {
  let t: TestBroker;
  // The broker's default connect timeout (10 s): broker and client share this process, and a
  // stall between accept and reading the CONNECT (a busy machine, the first connect's cold
  // code) must not close a client that did send it (review-12 F12; c006e08 saw it at 200 ms).
  before(async () => {
    t = await startTestBroker();
  });
  after(() => t.close());

  it("[MQTT-3.1.3-8] zero-length client id with clean session 0 is refused with 0x02", async () => {
    const c = await rawClient(t.port, 4);
    // mqtt-packet will not generate this CONNECT (it is invalid), so the bytes are written by hand.
    c.socket.write(Buffer.from([0x10, 12, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x00, 0, 0, 0, 0]));
    const connack = await c.next("connack");
    assert.equal((connack as { returnCode: number }).returnCode, 2);
    await c.closed;
  });

  it("[MQTT-3.1.3-6] zero-length client id with clean session 1 is accepted", async () => {
    const c = await rawClient(t.port, 4);
    c.send({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, keepalive: 0, clientId: "" });
    assert.equal((await c.next("connack") as { returnCode: number }).returnCode, 0);
    c.socket.destroy();
  });

  it("[MQTT-3.1.3-6] MQTT 5: an empty client id gets an Assigned Client Identifier", async () => {
    const c = await rawClient(t.port, 5);
    c.send({ cmd: "connect", protocolId: "MQTT", protocolVersion: 5, clean: true, keepalive: 0, clientId: "" });
    const connack = (await c.next("connack")) as { reasonCode: number; properties: Record<string, unknown> };
    assert.equal(connack.reasonCode, 0);
    assert.match(String(connack.properties.assignedClientIdentifier), /^hearth-/);
    c.socket.destroy();
  });

  it("[MQTT-3.1.0-2] a second CONNECT closes the connection", async () => {
    const c = await rawConnected(t.port, 4, { clientId: "twice" });
    c.send({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, keepalive: 0, clientId: "twice" });
    await c.closed;
  });

  it("[MQTT-3.1.0-1] a first packet other than CONNECT closes the connection", async () => {
    const c = await rawClient(t.port, 4);
    c.send({ cmd: "pingreq" });
    await c.closed;
    assert.equal(c.received.length, 0);
  });

  it("[MQTT-2.3.1-1] a QoS 1 PUBLISH with packet identifier 0 closes the connection", async () => {
    const c = await rawConnected(t.port, 4);
    // mqtt-packet writes id 0 as given; the broker must not take it.
    c.send({ cmd: "publish", topic: "zero/id", payload: Buffer.from("x"), qos: 1, dup: false, retain: false, messageId: 0 });
    await c.closed;
    assert.equal(c.received.some((p) => p.cmd === "puback"), false);
  });

  it("[MQTT-3.1.2-2] an unsupported protocol level is refused with return code 1", async () => {
    const c = await rawClient(t.port, 4);
    // Level 6 does not exist; mqtt-packet will not generate it, so the bytes are written by hand.
    c.socket.write(Buffer.from([0x10, 12, 0, 4, 0x4d, 0x51, 0x54, 0x54, 6, 2, 0, 0, 0, 0]));
    const connack = (await c.next("connack")) as { returnCode: number };
    assert.equal(connack.returnCode, 1);
    await c.closed;
  });

  it("[MQTT-3.1.4-3] a second connection with the same client id takes over; MQTT 5 hears DISCONNECT 0x8E", async () => {
    const first = await rawConnected(t.port, 5, { clientId: "takeover" });
    const second = await rawConnected(t.port, 5, { clientId: "takeover" });
    const disconnect = (await first.next("disconnect")) as { reasonCode: number };
    assert.equal(disconnect.reasonCode, 0x8e);
    await first.closed;
    second.send({ cmd: "pingreq" });
    await second.next("pingresp");
    second.socket.destroy();
  });

  it("MQTT 5 CONNACK says what the broker supports and its limits", async () => {
    const c = await rawClient(t.port, 5);
    c.send({ cmd: "connect", protocolId: "MQTT", protocolVersion: 5, clean: true, keepalive: 0, clientId: "caps" });
    const connack = (await c.next("connack")) as { properties: Record<string, unknown> };
    assert.equal(connack.properties.wildcardSubscriptionAvailable, true);
    assert.equal(connack.properties.subscriptionIdentifiersAvailable, true);
    assert.equal(connack.properties.sharedSubscriptionAvailable, true);
    assert.equal(typeof connack.properties.receiveMaximum, "number");
    assert.equal(typeof connack.properties.maximumPacketSize, "number");
    assert.equal(typeof connack.properties.topicAliasMaximum, "number");
    c.socket.destroy();
  });

  it("MQTT 5 enhanced authentication is refused cleanly with 0x8C bad authentication method", async () => {
    const c = await rawClient(t.port, 5);
    c.send({ cmd: "connect", protocolId: "MQTT", protocolVersion: 5, clean: true, keepalive: 0, clientId: "scram", properties: { authenticationMethod: "SCRAM-SHA-1" } });
    assert.equal(((await c.next("connack")) as { reasonCode: number }).reasonCode, 0x8c);
    await c.closed;
  });

  it("mqtt.js connects with protocol 4 and with protocol 5", async () => {
    for (const protocolVersion of [4, 5] as const) {
      const c = await connectClient(t.port, { protocolVersion, clientId: `js-${protocolVersion}` });
      assert.equal(c.connected, true);
      await c.endAsync();
    }
  });
});

describe("CONNECT timeout", () => {
  let t: TestBroker;
  before(async () => {
    t = await startTestBroker({ limits: { connectTimeoutMs: 200 } });
  });
  after(() => t.close());

  it("a connection that sends no CONNECT is closed after the connect timeout", async () => {
    const c = await rawClient(t.port, 4);
    await c.closed;
  });
});

describe("keep alive", { concurrency: true }, () => {
  let t: TestBroker;
  before(async () => {
    t = await startTestBroker({ limits: { maxKeepAliveSeconds: 1 } });
  });
  after(() => t.close());

  it("[MQTT-3.1.2-24] a silent client is disconnected after 1.5 × keep alive, and its will is published", async () => {
    const watcher = await connectClient(t.port);
    const seen = collect(watcher);
    await watcher.subscribeAsync("ka/#", { qos: 1 });
    const c = await rawConnected(t.port, 4, { clientId: "silent", keepalive: 1, will: { topic: "ka/will", payload: Buffer.from("gone"), qos: 1, retain: false } });
    await c.closed;
    await until(() => seen.some((m) => m.topic === "ka/will" && m.payload === "gone"), "the will");
    await watcher.endAsync();
  });

  it("MQTT 5: a client asking for no keep alive is told the Server Keep Alive, and held to it (DISCONNECT 0x8D)", async () => {
    const c = await rawClient(t.port, 5);
    c.send({ cmd: "connect", protocolId: "MQTT", protocolVersion: 5, clean: true, keepalive: 0, clientId: "ka5" });
    const connack = (await c.next("connack")) as { properties: Record<string, unknown> };
    assert.equal(connack.properties.serverKeepAlive, 1);
    const disconnect = (await c.next("disconnect")) as { reasonCode: number };
    assert.equal(disconnect.reasonCode, 0x8d);
  });

  it("a client that pings in time stays connected", async () => {
    const c = await rawConnected(t.port, 4, { clientId: "pinger", keepalive: 1 });
    // Pings 0.3 s apart, six of them (1.8 s), outlast the 1.5 s a silent client gets; 1.2 s of margin
    // each, for a process stalled beside next build (review-12 F5: 0.8 s apart left 0.7 s).
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 300));
      c.send({ cmd: "pingreq" });
      await c.next("pingresp");
    }
    c.socket.destroy();
  });
});

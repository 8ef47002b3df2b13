// The broker under bad input: each limit acts on the client past it (the publish rate
// slows it down, a filter past the subscriptions is refused, the others disconnect it),
// with a code in the log, and a well-behaved client carries on. Small limits, so every loop here is short and bounded.
import { connect as tcpConnect, type Socket } from "node:net";
import type { MqttClient } from "mqtt";
import { expect, test, TestHub } from "./hub";
import { collect, connect, expectReceived, tryConnect } from "./mqtt-clients";

let hub: TestHub;
let observer: MqttClient;
let seen: ReturnType<typeof collect>;
let checks = 0;

test.beforeAll(async () => {
  hub = await TestHub.start({
    env: {
      HEARTH_MQTT_MAX_CONNECTIONS: "5",
      HEARTH_MQTT_MAX_PACKET_BYTES: "4096",
      HEARTH_MQTT_MAX_PUBLISH_RATE: "20",
      HEARTH_MQTT_PUBLISH_BURST: "20",
      HEARTH_MQTT_MAX_SUBSCRIPTIONS: "5",
      HEARTH_MQTT_CONNECT_TIMEOUT_MS: "500",
    },
  });
  observer = await connect(hub.mqttUrl, { clientId: "e2e-observer" });
  seen = collect(observer);
  await observer.subscribeAsync("check/#", { qos: 1 });
});
test.afterAll(async () => {
  await observer?.endAsync();
  await hub?.dispose();
});

/** Everyone else carries on: a fresh client's publish reaches the observer. */
async function othersCarryOn() {
  const payload = `check ${++checks}`;
  const client = await connect(hub.mqttUrl);
  try {
    await client.publishAsync("check/alive", payload, { qos: 1 });
    await expectReceived(seen, "check/alive", payload);
  } finally {
    await client.endAsync();
  }
}

function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => (client.connected ? client.once("close", () => resolve()) : resolve()));
}

function rawSocket(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(hub.mqttPort, "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
    // Read (and drop) what the hub sends, or a CONNACK left unread would hold back "close".
    socket.resume();
  });
}

const socketClosed = (socket: Socket) => new Promise<void>((resolve) => (socket.closed ? resolve() : socket.once("close", () => resolve())));

/** A minimal MQTT 3.1.1 CONNECT for client id "raw". */
const CONNECT = Buffer.from([0x10, 15, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x03, 0x72, 0x61, 0x77]);

test("a packet over the size limit disconnects its sender", async () => {
  const client = await connect(hub.mqttUrl, { clientId: "too-big" });
  const gone = closed(client);
  client.publish("check/big", "x".repeat(10_000));
  await gone;
  await expect.poll(() => hub.output).toMatch(/WARN mqtt: closing a connection code="packet-too-large" client="too-big"/);
  await othersCarryOn();
});

test("a length field promising 256 MiB is refused at the header, not buffered", async () => {
  const socket = await rawSocket();
  socket.on("error", () => {});
  socket.write(CONNECT);
  socket.write(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f, 0x00]));
  await socketClosed(socket);
  // The client id is known only when the CONNECT was read before the oversized header arrived.
  await expect.poll(() => hub.output).toMatch(
    /code="packet-too-large" (client="raw" )?address="127.0.0.1" reason="a packet of 268435455 bytes; the limit is 4096"/,
  );
  await othersCarryOn();
});

test("publishing faster than the rate limit slows the flooder down; every message arrives (review 10, F6)", async () => {
  const client = await connect(hub.mqttUrl, { clientId: "flooder" });
  try {
    for (let i = 0; i < 60; i++) client.publish("check/flood", String(i), { qos: 1 });
    await expectReceived(seen, "check/flood", "59");
    expect(seen.filter((m) => m.topic === "check/flood").length).toBe(60);
    expect(client.connected).toBe(true);
    await expect.poll(() => hub.output).toMatch(/WARN mqtt: slowing a client down code="publish-rate-exceeded" client="flooder" limit=20 burst=20/);
  } finally {
    await client.endAsync();
  }
  await othersCarryOn();
});

test("subscribing past the limit refuses the extra filter; the client stays (review 10, F7)", async () => {
  const client = await connect(hub.mqttUrl, { clientId: "hoarder" });
  try {
    for (let i = 0; i < 5; i++) await client.subscribeAsync(`check/s${i}`);
    await client.subscribeAsync("check/s0"); // the same filter again is not a new subscription
    // mqtt.js turns a refusal in the SUBACK (0x80 in 3.1.1) into an error.
    await expect(client.subscribeAsync("check/s5")).rejects.toThrow(/Subscribe error/);
    expect(client.connected).toBe(true);
    await expect.poll(() => hub.output).toMatch(/WARN mqtt: refusing a subscription code="too-many-subscriptions" client="hoarder" limit=5/);
  } finally {
    await client.endAsync();
  }
  await othersCarryOn();
});

test("a socket that never sends CONNECT is closed after the timeout", async () => {
  const socket = await rawSocket();
  await socketClosed(socket);
  await expect.poll(() => hub.output).toMatch(/WARN mqtt: closing a connection code="connect-timeout"/);
  await othersCarryOn();
});

test("connections past the limit are refused; when one leaves, the next gets in", async () => {
  // The observer holds one of the five.
  const clients = [];
  for (let i = 0; i < 4; i++) clients.push(await connect(hub.mqttUrl, { clientId: `crowd-${i}` }));
  try {
    const sixth = await tryConnect(hub.mqttUrl, { clientId: "crowd-extra" });
    expect("error" in sixth).toBe(true);
    await expect.poll(() => hub.output).toMatch(/WARN mqtt: connection refused code="too-many-connections" address="127.0.0.1" reason="more than 5 connections"/);
    await clients.pop()!.endAsync();
    await expect
      .poll(async () => {
        const retry = await tryConnect(hub.mqttUrl, { clientId: "crowd-extra" });
        if ("client" in retry) await retry.client.endAsync();
        return "client" in retry;
      })
      .toBe(true);
  } finally {
    for (const c of clients) await c.endAsync();
  }
  await othersCarryOn();
});

test("guessing a device's password is throttled: after repeated failures even the right one is refused for a while", async () => {
  const device = await hub.createDevice("guessed-device", ["home/guessed/#"]);
  for (let i = 0; i < 5; i++) {
    const wrong = await tryConnect(hub.mqttUrl, { username: device.username, password: `guess ${i}` });
    expect("error" in wrong && wrong.error.code).toBe(4);
  }
  const right = await tryConnect(hub.mqttUrl, { username: device.username, password: device.password });
  expect("error" in right && right.error.code).toBe(5);
  await expect.poll(() => hub.output).toMatch(/WARN mqtt: connection refused code="auth-throttled" .*username="guessed-device"/);
  await othersCarryOn();
});

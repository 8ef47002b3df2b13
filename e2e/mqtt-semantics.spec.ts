// MQTT 3.1.1 behaviour that devices rely on, checked with the clients devices and
// people use: mosquitto_pub / mosquitto_sub and mqtt.js, against a real hub.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, test } from "@playwright/test";
import mqtt, { type MqttClient } from "mqtt";
import { TestHub } from "./hub";
import { collect, connect, expectReceived } from "./mqtt-clients";

const run = promisify(execFile);
let hub: TestHub;

test.beforeAll(async () => {
  hub = await TestHub.start();
});
test.afterAll(async () => {
  await hub?.dispose();
});

const base = () => ["-h", "127.0.0.1", "-p", String(hub.mqttPort)];
const pub = (...args: string[]) => run("mosquitto_pub", [...base(), ...args]);
/** mosquitto_sub until `count` messages, printed as "<retained> <topic> <payload>" (or `format`); -W bounds it. */
async function sub(filter: string, count: number, ...args: string[]): Promise<string[]> {
  const { stdout } = await run("mosquitto_sub", [...base(), "-t", filter, "-C", String(count), "-W", "10", "-F", "%r %t %p", ...args]);
  return stdout.trim().split("\n");
}

async function subscriber(filter: string | string[], qos: 0 | 1 | 2 = 1, clientId?: string): Promise<{ client: MqttClient; seen: ReturnType<typeof collect> }> {
  const client = await connect(hub.mqttUrl, clientId ? { clientId } : {});
  const seen = collect(client);
  await client.subscribeAsync(filter, { qos });
  return { client, seen };
}

test("QoS 0, 1 and 2 from mosquitto_pub reach an mqtt.js subscriber at the granted QoS", async () => {
  const { client } = await subscriber("semantics/qos/#", 2);
  const got: { topic: string; qos: number }[] = [];
  client.on("message", (topic, _p, packet) => got.push({ topic, qos: packet.qos }));
  try {
    for (const qos of ["0", "1", "2"]) await pub("-q", qos, "-t", `semantics/qos/${qos}`, "-m", `at ${qos}`);
    await expect.poll(() => got.map((m) => `${m.topic}@${m.qos}`).sort()).toEqual(["semantics/qos/0@0", "semantics/qos/1@1", "semantics/qos/2@2"]);
  } finally {
    await client.endAsync();
  }
});

test("QoS 2 from mqtt.js reaches a QoS 2 mosquitto_sub as a retained message at QoS 2", async () => {
  const publisher = await connect(hub.mqttUrl);
  try {
    await publisher.publishAsync("semantics/q2/retained", "exactly once", { qos: 2, retain: true });
  } finally {
    await publisher.endAsync();
  }
  expect(await sub("semantics/q2/#", 1, "-q", "2", "-F", "%q %r %t %p")).toEqual(["2 1 semantics/q2/retained exactly once"]);
});

test("a retained message is set, replaced, and cleared by an empty retained publish", async () => {
  await pub("-r", "-q", "1", "-t", "semantics/retain/a", "-m", "first");
  await pub("-r", "-q", "1", "-t", "semantics/retain/a", "-m", "second");
  expect(await sub("semantics/retain/a", 1)).toEqual(["1 semantics/retain/a second"]);

  await pub("-r", "-q", "1", "-t", "semantics/retain/a", "-n");
  await pub("-r", "-q", "1", "-t", "semantics/retain/b", "-m", "marker");
  // A new subscriber to both gets only the marker: the cleared one is gone.
  expect(await sub("semantics/retain/+", 1)).toEqual(["1 semantics/retain/b marker"]);
});

test("a client that drops without DISCONNECT has its last will published", async () => {
  const { client: watcher, seen } = await subscriber("semantics/will/#");
  const device = await connect(hub.mqttUrl, {
    clientId: "will-device",
    will: { topic: "semantics/will/availability", payload: Buffer.from("offline"), qos: 1, retain: true },
  });
  try {
    device.stream.destroy(); // abrupt: the socket dies, no DISCONNECT packet
    await expectReceived(seen, "semantics/will/availability", "offline");
    // Retained, so a device's availability is there for whoever looks later.
    expect(await sub("semantics/will/availability", 1)).toEqual(["1 semantics/will/availability offline"]);
  } finally {
    await device.endAsync(true);
    await watcher.endAsync();
  }
});

test("a clean DISCONNECT does not publish the will", async () => {
  const device = await connect(hub.mqttUrl, {
    clientId: "polite-device",
    will: { topic: "semantics/polite/availability", payload: Buffer.from("offline"), qos: 1, retain: true },
  });
  await device.publishAsync("semantics/polite/availability", "online", { qos: 1, retain: true });
  await device.endAsync();
  expect(await sub("semantics/polite/availability", 1)).toEqual(["1 semantics/polite/availability online"]);
});

test("a persistent session (clean=false) receives the QoS 1 messages sent while it was away", async () => {
  const options = { clientId: "persistent-device", clean: false };
  const first = await connect(hub.mqttUrl, options);
  await first.subscribeAsync("semantics/persist/#", { qos: 1 });
  await first.endAsync();

  for (const n of ["1", "2", "3"]) await pub("-q", "1", "-t", `semantics/persist/${n}`, "-m", `while away ${n}`);

  const got: string[] = [];
  // The handler is attached before the connection opens: the queued messages come right after CONNACK.
  const back = mqtt.connect(hub.mqttUrl, { ...options, reconnectPeriod: 0 });
  back.on("message", (topic, payload) => got.push(`${topic} ${payload}`));
  try {
    await expect.poll(() => got).toEqual(["semantics/persist/1 while away 1", "semantics/persist/2 while away 2", "semantics/persist/3 while away 3"]);
  } finally {
    await back.endAsync();
  }
});

test("+ matches one level and # any number; $SYS topics are not matched by #", async () => {
  const plus = await subscriber("semantics/wild/+/temperature");
  const hash = await subscriber("#");
  const sys = await subscriber("$SYS/#");
  try {
    // Connecting a client makes the broker publish $SYS/<id>/new/clients.
    const extra = await connect(hub.mqttUrl, { clientId: "sys-trigger" });
    await extra.endAsync();
    await expect.poll(() => sys.seen.some((m) => m.topic.startsWith("$SYS/") && m.payload === "sys-trigger")).toBe(true);

    for (const topic of ["semantics/wild/attic/temperature", "semantics/wild/attic/humidity", "semantics/wild/a/b/temperature", "semantics/wild/temperature"]) {
      await pub("-q", "1", "-t", topic, "-m", "1");
    }
    await pub("-q", "1", "-t", "semantics/wild/done", "-m", "marker");
    await expectReceived(hash.seen, "semantics/wild/done", "marker");
    await expectReceived(plus.seen, "semantics/wild/attic/temperature", "1");
    expect(plus.seen.map((m) => m.topic)).toEqual(["semantics/wild/attic/temperature"]);
    expect(hash.seen.filter((m) => m.topic.startsWith("semantics/wild/")).map((m) => m.topic)).toEqual([
      "semantics/wild/attic/temperature",
      "semantics/wild/attic/humidity",
      "semantics/wild/a/b/temperature",
      "semantics/wild/temperature",
      "semantics/wild/done",
    ]);
    expect(hash.seen.filter((m) => m.topic.startsWith("$"))).toEqual([]);
  } finally {
    for (const s of [plus, hash, sys]) await s.client.endAsync();
  }
});

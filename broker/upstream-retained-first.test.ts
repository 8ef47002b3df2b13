// The discovery configs read first on a short clean session (upstream-retained-first.ts,
// review-17 F1), against a real Mosquitto: every retained copy of a large home comes,
// Hearth's own session is left as it was, and a hub stopped while it is still trying to
// read them stops cleanly.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import mqtt from "mqtt";
import { freePort } from "../e2e/free-port";
import { DISCOVERY_FILTERS } from "./device-registry";
import { quietLog } from "./mqtt/test-server";
import { startUpstreamMosquitto, type UpstreamMosquitto } from "./test-upstream-brokers";
import { eventually } from "./test-upstream-hub";
import { createUpstreamBus } from "./upstream-bus";
import { clientOptions } from "./upstream-options";
import { readRetainedFirst } from "./upstream-retained-first";

const HEARTH = { username: "hearth", password: "hearth-first-pass" };
const DEVICE = { username: "dev", password: "dev-first-pass" };
/** Zigbee2MQTT's configs of a large home, as in review 10 F16's burst. */
const CONFIGS = 1500;
let broker: UpstreamMosquitto;

before(async () => {
  broker = await startUpstreamMosquitto({ [HEARTH.username]: HEARTH.password, [DEVICE.username]: DEVICE.password });
});
after(async () => {
  await broker?.stop();
});

const configOf = (url: string, clientId: string) => ({ urls: [url], ...HEARTH, caFile: null, certFile: null, keyFile: null, protocolVersion: 5 as const, clientId });

test("every retained config of a 1,500-config home is read and Hearth's session keeps what it queued", { timeout: 60_000 }, async () => {
  const url = `mqtt://127.0.0.1:${broker.port}`;
  const device = await mqtt.connectAsync(url, { ...DEVICE, protocolVersion: 5, reconnectPeriod: 0 });
  // Hearth's session, with one reading queued in it.
  const session = await mqtt.connectAsync(url, { ...HEARTH, protocolVersion: 5, clientId: "hearth-first", clean: false, properties: { sessionExpiryInterval: 600 }, reconnectPeriod: 0 });
  await session.subscribeAsync("#", { qos: 1 });
  await session.endAsync();
  try {
    const sent = Array.from({ length: CONFIGS }, (_, i) => `homeassistant/sensor/0x${i.toString(16).padStart(16, "0")}/temperature/config`);
    await Promise.all(sent.map((topic) => device.publishAsync(topic, JSON.stringify({ state_topic: `${topic}/state` }), { qos: 1, retain: true })));
    await device.publishAsync("tasmota/discovery/A1B2C3/config", "{}", { qos: 1, retain: true });
    await device.publishAsync("home/cellar/temperature", "7", { qos: 1 });

    const read = readRetainedFirst({ options: clientOptions(configOf(url, "hearth-first")), filters: DISCOVERY_FILTERS });
    const { copies, refused } = await read.copies;
    assert.deepEqual(refused, []);
    assert.equal(copies.length, CONFIGS + 1);
    assert.deepEqual(new Set(copies.map((c) => c.topic)), new Set([...sent, "tasmota/discovery/A1B2C3/config"]));

    // The short connection had its own client id: Hearth's session still holds the queued reading.
    const resumed = mqtt.connect(url, { ...HEARTH, protocolVersion: 5, clientId: "hearth-first", clean: false, properties: { sessionExpiryInterval: 0 }, reconnectPeriod: 0 });
    const queued = await new Promise<string>((resolve) => resumed.on("message", (topic, payload) => topic === "home/cellar/temperature" && resolve(payload.toString())));
    assert.equal(queued, "7");
    await resumed.endAsync();
  } finally {
    await device.endAsync();
  }
});

test("a hub stopped while the broker cannot be reached, still reading the discovery configs stops cleanly (no crash on a session never started)", { timeout: 30_000 }, async () => {
  const lines: string[] = [];
  const bus = createUpstreamBus(configOf(`mqtt://127.0.0.1:${await freePort()}`, "hearth-first-down"), quietLog(lines), { retainedFirst: DISCOVERY_FILTERS });
  bus.start();
  await eventually("the status to say unreachable", () => (bus.status().state === "unreachable" ? true : null));
  assert.equal(bus.status().code, "upstream-unreachable");
  assert.equal(lines.filter((line) => line.startsWith("error")).length, 1, lines.join("\n"));
  await bus.end();
  assert.equal(bus.connected(), false);
});

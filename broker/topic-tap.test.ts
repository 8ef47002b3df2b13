// The explorer's tap on Hearth's broker: a device publishing over TCP with and
// without the retain flag, seen through the in-process Bus the hub uses.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import mqtt, { type MqttClient } from "mqtt";
import { startBusBroker, type BusBroker } from "./test-bus-broker";
import { startTopicTap, type TopicTap } from "./topic-tap";

let broker: BusBroker;
let device: MqttClient;
let tap: TopicTap;
const T0 = Date.UTC(2026, 0, 1);

before(async () => {
  broker = await startBusBroker({ now: () => T0 });
  device = await mqtt.connectAsync(broker.url, { clientId: "tap-device", reconnectPeriod: 0 });
  tap = await startTopicTap(broker.bus);
});

after(async () => {
  await tap.stop();
  await device.endAsync();
  await broker.close();
});

const stat = (topic: string) => tap.stats.snapshot(T0).find((s) => s.topic === topic);

describe("topic tap", () => {
  it("sees every topic a device publishes, with its last payload, and leaves $SYS out", async () => {
    await device.publishAsync("zigbee2mqtt/bridge/state", "online", { qos: 1 });
    await device.publishAsync("home/attic/temperature", "21.5", { qos: 1 });
    await device.publishAsync("home/attic/temperature", "21.75", { qos: 1 });
    assert.deepEqual(
      [stat("zigbee2mqtt/bridge/state")?.preview, stat("home/attic/temperature")?.preview, stat("home/attic/temperature")?.count],
      ["online", "21.75", 2],
    );
    assert.ok(tap.stats.snapshot(T0).every((s) => !s.topic.startsWith("$")));
  });

  it("marks a topic retained when the broker keeps its message, until an empty retained publish clears it", async () => {
    await device.publishAsync("home/hall/lamp/state", "ON", { qos: 1, retain: true });
    assert.equal(stat("home/hall/lamp/state")?.retained, true);
    // A plain publish does not replace the broker's retained copy.
    await device.publishAsync("home/hall/lamp/state", "OFF", { qos: 1 });
    assert.equal(stat("home/hall/lamp/state")?.retained, true);
    await device.publishAsync("home/hall/lamp/state", "", { qos: 1, retain: true });
    assert.equal(stat("home/hall/lamp/state")?.retained, false);
    await device.publishAsync("home/hall/fan/state", "ON", { qos: 1 });
    assert.equal(stat("home/hall/fan/state")?.retained, false);
  });
});

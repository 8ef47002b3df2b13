// Review-10 F15: the real hub (broker/hub.ts, no pages) remembers discovered devices
// across a restart. Zigbee2MQTT announces each entity once, retained, and at its own
// start skips every config whose retained copy is unchanged; so after a hub restart the
// only source of its devices is the broker's restored retained set, which the local bus
// hands to the device registry as a broker hands retained messages to a new subscriber
// [MQTT-3.3.1-6]. Before, the registry knew none of them: the dashboard's commands to a
// Zigbee plug were refused (publish-denied) and its sensors' readings went unrecorded.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import mqtt, { type MqttClient } from "mqtt";
import { freePort } from "../e2e/free-port";
import { nextMessage, upstreamHub, type UpstreamHub } from "./test-upstream-hub";
import { PLUG_CONFIG as TASMOTA_CONFIG } from "../lib/devices/fixtures/tasmota";
import { liveStoreHarness } from "../lib/live-store-harness";
import { tasmotaPlug } from "./test-tasmota-device";

const PLUG_CONFIG = {
  name: null,
  command_topic: "zigbee2mqtt/Kitchen plug/set",
  state_topic: "zigbee2mqtt/Kitchen plug",
  value_template: '{{ value_json["state"] }}',
  payload_on: "ON",
  payload_off: "OFF",
  device: { identifiers: ["zigbee2mqtt_0x0017880104e45517"], name: "Kitchen plug" },
  unique_id: "0x0017880104e45517_switch_zigbee2mqtt",
};
const SENSOR_CONFIG = {
  name: "Temperature",
  state_topic: "zigbee2mqtt/Cellar sensor",
  value_template: "{{ value_json.temperature }}",
  unit_of_measurement: "°C",
  device_class: "temperature",
  device: { identifiers: ["zigbee2mqtt_0x00158d0001e2d3a4"], name: "Cellar sensor" },
};

let hub: UpstreamHub;
let mqttUrl: string;
const clients: MqttClient[] = [];

before(async () => {
  const port = await freePort();
  mqttUrl = `mqtt://127.0.0.1:${port}`;
  hub = await upstreamHub({ MQTT_PORT: String(port) });
});
after(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await hub?.dispose();
});

async function device(clientId: string): Promise<MqttClient> {
  const client = await mqtt.connectAsync(mqttUrl, { clientId, protocolVersion: 5, reconnectPeriod: 0 });
  clients.push(client);
  return client;
}

/** Whether `browser`'s command reaches the device, or the hub closes the connection (3.1.1's answer to a refused PUBLISH, [MQTT-3.3.5-2]). */
function commandOutcome(browser: MqttClient, plug: MqttClient, topic: string): Promise<"delivered" | "refused"> {
  const delivered = nextMessage(plug, topic).then(() => "delivered" as const);
  const refused = new Promise<"refused">((resolve) => browser.once("close", () => resolve("refused")));
  browser.publish(topic, "ON", { qos: 1 });
  return Promise.race([delivered, refused]);
}

test("retained discovered devices are known again after a hub restart: the dashboard's commands pass, readings are recorded", { timeout: 60_000 }, async () => {
  const z2m = await device("zigbee2mqtt-before");
  await z2m.publishAsync("homeassistant/switch/0x0017880104e45517/switch/config", JSON.stringify(PLUG_CONFIG), { qos: 1, retain: true });
  await z2m.publishAsync("homeassistant/sensor/0x00158d0001e2d3a4/temperature/config", JSON.stringify(SENSOR_CONFIG), { qos: 1, retain: true });
  await z2m.endAsync();

  await hub.stop();
  await hub.start();

  // Zigbee2MQTT reconnects and announces nothing: its configs' retained copies are unchanged.
  const plug = await device("zigbee2mqtt-after");
  await plug.subscribeAsync("zigbee2mqtt/Kitchen plug/set", { qos: 1 });
  for (const role of ["operator", "admin"] as const) {
    assert.equal(await commandOutcome(await hub.browser(role), plug, "zigbee2mqtt/Kitchen plug/set"), "delivered", `${role}'s command`);
  }
  // Acknowledged means stored: the reading's row has committed by the PUBACK.
  await plug.publishAsync("zigbee2mqtt/Cellar sensor", JSON.stringify({ temperature: 12.5, linkquality: 80 }), { qos: 1 });
  assert.deepEqual(await hub.history("ha:sensor/0x00158d0001e2d3a4/temperature"), [12.5]);
});

// Review-15 L3: a Tasmota plug does not retain its relay's state (PowerRetain 0), and says
// it only when it changes or every TelePeriod; after a hub restart a page showed the plug
// as unknown until then. The hub asks, as Home Assistant does (hatasmota poll_status): an
// empty cmnd/<t>/STATE once the plug says Online, answered on stat/<t>/RESULT.
test("after a hub restart, a Tasmota plug is asked for its relay's state, and an open page shows it", { timeout: 60_000 }, async () => {
  const before = await tasmotaPlug(mqttUrl, "ON", "tasmota-before");
  await before.client.publishAsync("tasmota/discovery/A4CF12F0C1D2/config", JSON.stringify(TASMOTA_CONFIG), { qos: 1, retain: true });
  await before.end();

  await hub.stop();
  await hub.start();

  // The page (re)connects and hears the plug's announcement and LWT, retained; nothing about its relay.
  const page = await hub.browser("viewer");
  const { store, deliver } = liveStoreHarness();
  page.on("message", (topic, payload, packet) => deliver([topic, payload.toString(), packet.retain]));
  const answer = nextMessage(page, "stat/tasmota_F0C1D2/RESULT");
  const announced = nextMessage(page, "tasmota/discovery/A4CF12F0C1D2/config");
  await page.subscribeAsync(["tasmota/discovery/#", "tele/tasmota_F0C1D2/#", "stat/tasmota_F0C1D2/#"], { qos: 0 });
  await announced;
  const relay = () => store.getDevice("ha:switch/A4CF12F0C1D2/relay_0");
  assert.deepEqual([relay()?.name, relay()?.state], ["Kettle plug", null]);

  // The plug reconnects: its LWT Online, then its subscription (tasmota MqttConnected), and nothing about its relay.
  const plug = await tasmotaPlug(mqttUrl, "ON", "tasmota-after");
  try {
    assert.equal(await plug.nextCommand("STATE"), "");
    await answer;
    assert.deepEqual([relay()?.state, relay()?.availability], ["ON", "online"]);
  } finally {
    await plug.end();
  }
});

// The live store's device registry side: HA discovery, config devices and routing
// of state/availability messages on any topic (issue 5).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, it, mock } from "node:test";
import { HARNESS_T0 as T0, liveStoreHarness } from "./live-store-harness";

const fixtures = JSON.parse(readFileSync(path.join(import.meta.dirname, "devices/fixtures/discovery.json"), "utf8")) as Record<
  string,
  { topic: string; payload: object }
>;

function setup() {
  const { store, deliver } = liveStoreHarness();
  const announce = (name: string) => deliver([fixtures[name].topic, fixtures[name].payload, true]);
  return { store, deliver, announce };
}

let warn: ReturnType<typeof mock.method>;
beforeEach(() => {
  warn = mock.method(console, "warn", () => {});
});
afterEach(() => warn.mock.restore());

describe("live store: discovered devices", () => {
  it("a discovered switch appears in its suggested area, and its state topic is subscribed to", () => {
    const { store, deliver, announce } = setup();
    let changes = 0;
    store.subscribeSubscriptions(() => changes++);
    announce("esphome-relay");
    const key = "ha:switch/livingroom-node/lamp_relay";
    assert.deepEqual(store.getRooms().map((r) => [r.room, r.devices]), [["living_room", [key]]]);
    assert.deepEqual(store.getSubscriptions(), ["home/#", "livingroom-node/status", "livingroom-node/switch/lamp_relay/state"]);
    assert.equal(changes, 1);
    assert.equal(store.getDevice(key)?.name, "livingroom-node Lamp relay");
    assert.equal(store.getDevice(key)?.state, null);

    deliver(["livingroom-node/switch/lamp_relay/state", "ON", true], ["livingroom-node/status", "online", true]);
    assert.equal(store.getDevice(key)?.state, "ON");
    assert.equal(store.getDevice(key)?.availability, "online");
    deliver(["livingroom-node/status", "offline"]);
    assert.equal(store.getDevice(key)?.availability, "offline");
  });

  it("JSON state with a value_template, and availability_mode all over two topics", () => {
    const { store, deliver, announce } = setup();
    announce("z2m-plug");
    const key = "ha:switch/0x0017880104e45517/switch";
    deliver(["zigbee2mqtt/Kitchen plug", { state: "OFF", power: 0, linkquality: 120 }]);
    assert.equal(store.getDevice(key)?.state, "OFF");
    deliver(["zigbee2mqtt/bridge/state", { state: "online" }]);
    assert.equal(store.getDevice(key)?.availability, null); // the plug's own topic has not spoken
    deliver(["zigbee2mqtt/Kitchen plug/availability", { state: "online" }]);
    assert.equal(store.getDevice(key)?.availability, "online");
    deliver(["zigbee2mqtt/bridge/state", { state: "offline" }]);
    assert.equal(store.getDevice(key)?.availability, "offline");
  });

  it("discovered sensors sharing one state topic each read their field, with name and unit", () => {
    const { store, deliver } = setup();
    const temperature = fixtures["z2m-temperature"];
    const humidity = {
      ...(temperature.payload as object),
      name: "Humidity",
      unit_of_measurement: "%",
      device_class: "humidity",
      value_template: "{{ value_json.humidity }}",
    };
    deliver([temperature.topic, temperature.payload], ["homeassistant/sensor/0x00158d0001e2d3a4/humidity/config", humidity]);
    deliver(["zigbee2mqtt/Greenhouse sensor", { temperature: 23.4, humidity: 61, battery: 97 }]);
    const t = store.getTopic("ha:sensor/0x00158d0001e2d3a4/temperature");
    const h = store.getTopic("ha:sensor/0x00158d0001e2d3a4/humidity");
    assert.deepEqual([t?.name, t?.reading?.value, t?.reading?.unit, t?.points.length], ["Greenhouse sensor Temperature", 23.4, "°C", 1]);
    assert.deepEqual([h?.name, h?.reading?.value, h?.reading?.unit], ["Greenhouse sensor Humidity", 61, "%"]);
    assert.deepEqual(store.getRooms().map((r) => [r.label, r.topics.length]), [["Greenhouse sensor", 2]]);
  });

  it("a discovered sensor moved to a room that already exists is listed there, and no longer where it was", () => {
    const { store, deliver, announce } = setup();
    announce("esphome-relay"); // makes the living room
    announce("tasmota-power");
    const key = "ha:sensor/A1B2C3_ENERGY_Power";
    const roomOf = () => store.getRooms().filter((r) => r.topics.includes(key)).map((r) => r.room);
    const [before] = roomOf();
    assert.ok(before && before !== "living_room");
    const { topic, payload } = fixtures["tasmota-power"];
    deliver([topic, { ...payload, dev: { ids: ["A1B2C3"], sa: "Living Room" } }, true]);
    assert.deepEqual(roomOf(), ["living_room"]);
    assert.deepEqual(store.getRooms().find((r) => r.room === "living_room")?.devices, ["ha:switch/livingroom-node/lamp_relay"]);
  });

  it("a discovered sensor shows its availability, and keeps its last value while offline", () => {
    const { store, deliver, announce } = setup();
    announce("tasmota-power");
    deliver(["tele/sonoff_pow/SENSOR", { ENERGY: { Power: 12.5 } }], ["tele/sonoff_pow/LWT", "Online"]);
    const key = "ha:sensor/A1B2C3_ENERGY_Power";
    assert.deepEqual([store.getTopic(key)?.reading?.value, store.getTopic(key)?.availability], [12.5, "online"]);
    deliver(["tele/sonoff_pow/LWT", "Offline"]);
    assert.deepEqual([store.getTopic(key)?.reading?.value, store.getTopic(key)?.availability], [12.5, "offline"]);
  });

  it("an empty config removes the entity, its empty room and its subscription", () => {
    const { store, deliver, announce } = setup();
    announce("tasmota-relay");
    assert.equal(store.getRooms().length, 1);
    deliver([fixtures["tasmota-relay"].topic, ""]);
    assert.deepEqual(store.getRooms(), []);
    assert.equal(store.getDevice("ha:switch/A1B2C3_RL_1"), undefined);
    assert.deepEqual(store.getSubscriptions(), ["home/#"]);
  });

  it("a device-based config (HA 2024.11) shows every component; one left as its platform goes, an empty config takes them all (review-10 F4)", () => {
    const { store, deliver } = setup();
    const topic = "homeassistant/device/gw01/config";
    const cmps = {
      t: { p: "sensor", dev_cla: "temperature", unit_of_meas: "°C", val_tpl: "{{ value_json.temperature }}", uniq_id: "gw01_t" },
      pump: { p: "switch", name: "Pump", cmd_t: "garden/gw01/pump/set", val_tpl: "{{ value_json.pump }}", uniq_id: "gw01_pump" },
      restart: { p: "button", cmd_t: "garden/gw01/restart", uniq_id: "gw01_restart" },
    };
    deliver([topic, { dev: { ids: "gw01", name: "Garden gateway", sa: "Garden" }, o: { name: "demo" }, stat_t: "garden/gw01", cmps }, true]);
    deliver(["garden/gw01", { temperature: 12.5, pump: "ON" }]);
    assert.deepEqual(store.getRooms().map((r) => [r.room, r.topics, r.devices]), [["garden", ["ha:sensor/gw01/t"], ["ha:switch/gw01/pump"]]]);
    assert.equal(store.getTopic("ha:sensor/gw01/t")?.reading?.value, 12.5);
    assert.deepEqual([store.getDevice("ha:switch/gw01/pump")?.name, store.getDevice("ha:switch/gw01/pump")?.state], ["Garden gateway Pump", "ON"]);
    // The button is beyond Hearth: named once in the console, the rest shown.
    assert.match(String(warn.mock.calls[0]?.arguments[0]), /button\/gw01\/restart \(unsupported-component\)/);

    deliver([topic, { dev: { ids: "gw01", name: "Garden gateway", sa: "Garden" }, o: { name: "demo" }, stat_t: "garden/gw01", cmps: { ...cmps, t: { p: "sensor" } } }, true]);
    assert.deepEqual(store.getRooms().map((r) => [r.topics, r.devices]), [[[], ["ha:switch/gw01/pump"]]]);
    deliver([topic, ""]);
    assert.deepEqual(store.getRooms(), []);
    assert.deepEqual(store.getSubscriptions(), ["home/#"]);
  });

  it("a state heard before the config is applied when the config arrives", () => {
    const { store, deliver } = setup();
    deliver(["home/den/lamp/state", "ON", true]);
    deliver([
      "homeassistant/switch/den_lamp/config",
      { name: "Den lamp", stat_t: "home/den/lamp/state", cmd_t: "home/den/lamp/set", avty_t: "home/den/lamp/availability" },
    ]);
    // One device, not two: discovery on convention topics merges with the convention device.
    assert.deepEqual(store.getRooms().map((r) => r.devices), [["den/lamp"]]);
    const lamp = store.getDevice("den/lamp");
    assert.deepEqual([lamp?.name, lamp?.state, lamp?.source, lamp?.expectsAvailability], ["Den lamp", "ON", "discovery", true]);
  });

  it("a bad config is ignored with a warning naming its code", () => {
    const { store, deliver } = setup();
    deliver(["homeassistant/sensor/x/config", "{not json"]);
    assert.deepEqual(store.getRooms(), []);
    assert.match(String(warn.mock.calls[0]?.arguments[0]), /homeassistant\/sensor\/x\/config ignored \(bad-json\)/);
  });

  it("messages on topics no device uses are ignored", () => {
    const { store, deliver, announce } = setup();
    announce("esphome-relay");
    const before = store.getRooms();
    deliver(["other/topic", "ON"], ["homeassistant/status", "online"]);
    assert.equal(store.getRooms(), before);
  });
});

describe("live store: config devices", () => {
  it("names and decorates a convention device, and shows a configured device before it speaks", () => {
    const { store, deliver } = setup();
    store.setDeviceConfig([
      { id: "kitchen/coffee_maker", name: "Espresso machine", icon: "☕" },
      { id: "garage_door", name: "Garage door", room: "garage", commandTopic: "garage/relay/1", payloadOn: "1", payloadOff: "0" },
    ]);
    assert.deepEqual(store.getRooms().map((r) => [r.room, r.devices]), [["garage", ["garage_door"]]]);
    const door = store.getDevice("garage_door");
    assert.deepEqual([door?.name, door?.command?.optimistic, door?.command?.on], ["Garage door", true, "1"]);

    deliver(["home/kitchen/coffee_maker/state", "OFF", true]);
    const coffee = store.getDevice("kitchen/coffee_maker");
    assert.deepEqual([coffee?.name, coffee?.icon, coffee?.state], ["Espresso machine", "☕", "OFF"]);
  });
});

describe("live store: the hub's last device states (review-10 F1)", () => {
  it("a Zigbee2MQTT door sensor whose state is not retained shows the state the hub last heard as soon as its config arrives", () => {
    const { store, announce } = setup();
    // As app/layout.tsx passes them: before the connection, before any config is known.
    store.seedStates([
      { topic: "zigbee2mqtt/Back door", payload: '{"contact":false,"battery":97,"linkquality":120}', at: T0 - 60_000 },
      { topic: "zigbee2mqtt/bridge/state", payload: '{"state":"online"}', at: T0 - 3_600_000 },
    ]);
    announce("z2m-contact");
    const door = store.getDevice("ha:binary_sensor/0x00158d000a1b2c3d/contact");
    // payload_on is false: contact false is the door open, "ON".
    assert.deepEqual([door?.state, door?.availability], ["ON", "online"]);
  });

  it("a live message after the seed wins", () => {
    const { store, deliver, announce } = setup();
    store.seedStates([{ topic: "zigbee2mqtt/Back door", payload: '{"contact":false}', at: T0 - 60_000 }]);
    announce("z2m-contact");
    deliver(["zigbee2mqtt/Back door", { contact: true }]);
    assert.equal(store.getDevice("ha:binary_sensor/0x00158d000a1b2c3d/contact")?.state, "OFF");
  });
});

describe("live store: a big Zigbee2MQTT home (review 10, F7)", () => {
  const plug = (n: number): [string, object, boolean] => [
    `homeassistant/switch/0x${n}/switch/config`,
    {
      availability: [
        { topic: "zigbee2mqtt/bridge/state", value_template: "{{ value_json.state }}" },
        { topic: `zigbee2mqtt/Plug ${n}/availability`, value_template: "{{ value_json.state }}" },
      ],
      availability_mode: "all",
      command_topic: `zigbee2mqtt/Plug ${n}/set`,
      device: { identifiers: [`zigbee2mqtt_0x${n}`], name: `Plug ${n}` },
      name: null,
      payload_off: "OFF",
      payload_on: "ON",
      state_topic: `zigbee2mqtt/Plug ${n}`,
      unique_id: `0x${n}_switch_zigbee2mqtt`,
      value_template: "{{ value_json.state }}",
    },
    true,
  ];

  it("60 plugs (121 topics) are followed with a few + filters, not one each (the hub cut the page off at 100)", () => {
    const { store, deliver } = setup();
    deliver(...Array.from({ length: 60 }, (_, i) => plug(i + 1)));
    const filters = store.getSubscriptions();
    assert.deepEqual(filters, ["home/#", "zigbee2mqtt/+", "zigbee2mqtt/+/availability", "zigbee2mqtt/bridge/state"]);
    // Routing is still by exact topic: the wildcard brings other messages, which change nothing.
    deliver(["zigbee2mqtt/bridge/state", { state: "online" }, true], ["zigbee2mqtt/Plug 7/availability", { state: "online" }, true]);
    deliver(["zigbee2mqtt/Plug 7", { state: "ON", linkquality: 120 }], ["zigbee2mqtt/Coordinator", { state: "ON" }]);
    assert.equal(store.getDevice("ha:switch/0x7/switch")?.state, "ON");
    assert.equal(store.getDevice("ha:switch/0x7/switch")?.availability, "online");
    assert.equal(store.getDevice("ha:switch/0x8/switch")?.state, null);
  });
});

// The hub's device registry against Hearth's broker (the memory store): the birth
// message, and discovered sensors' readings handed to the recorder.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import type { Logger } from "../lib/log";
import type { Reading } from "../lib/readings";
import type { Bus } from "./bus";
import { connectMqttBus } from "./mqtt-bus";
import { startBusBroker, type BusBroker } from "./test-bus-broker";
import { startDeviceRegistry, type HubDeviceRegistry } from "./device-registry";
import { openSqliteHistory } from "../lib/history/sqlite-store";
import { startRecorder } from "./recorder";
import { PLUG_CONFIG, PLUG_SENSORS } from "../lib/devices/fixtures/tasmota";
import { tasmotaPlug } from "./test-tasmota-device";

const T0 = 1_700_000_000_000;
const lines: string[] = [];
const log: Logger = {
  debug: (m, f) => lines.push(`debug ${m} ${JSON.stringify(f)}`),
  info: (m, f) => lines.push(`info ${m} ${JSON.stringify(f)}`),
  warn: (m, f) => lines.push(`warn ${m} ${JSON.stringify(f)}`),
  error: (m, f) => lines.push(`error ${m} ${JSON.stringify(f)}`),
};

let broker: BusBroker;
let bus: Bus;
let registry: HubDeviceRegistry;
let recorded: Reading[];
let waiting: { count: number; resolve: () => void } | null;

/** Resolves once `check` holds (polled on timers: the summary line comes on one). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(check(), "timed out");
}

/** Resolves once `count` readings have been recorded in all. */
const recordedCount = (count: number) =>
  new Promise<void>((resolve) => {
    if (recorded.length >= count) resolve();
    else waiting = { count, resolve };
  });

beforeEach(async () => {
  lines.length = 0;
  recorded = [];
  waiting = null;
  broker = await startBusBroker({ now: () => T0 });
  bus = broker.bus;
  registry = await startDeviceRegistry(bus, {
    config: [{ id: "pool", name: "Pool", room: "garden", kind: "sensor", stateTopic: "pool/temp", unit: "°C" }],
    record: (reading) => {
      recorded.push(reading);
      if (waiting && recorded.length >= waiting.count) waiting.resolve();
    },
    log,
    summaryAfterMs: 0,
    // Long enough for a plug's SUBSCRIBE after its LWT, on a loaded machine (the hub waits 1 s, as hatasmota).
    pollAfterMs: 250,
  });
});
afterEach(async () => {
  await registry.stop();
  await broker.close();
});

const greenhouse = {
  name: "Temperature",
  stat_t: "zigbee2mqtt/Greenhouse sensor",
  val_tpl: "{{ value_json.temperature }}",
  unit_of_meas: "°C",
  dev: { name: "Greenhouse sensor", ids: "gh1" },
};

describe("hub device registry", { timeout: 10_000 }, () => {
  it("says online on homeassistant/status, retained, for devices that connect later", async () => {
    // Retained messages go to network clients, so this one connects over TCP like a device.
    const device = await connectMqttBus(broker.url, { clientId: "late-device", reconnectPeriod: 0 });
    try {
      const message = new Promise<string>((resolve) => {
        void device.subscribe("homeassistant/status", ({ payload, retain }) => {
          if (retain) resolve(payload.toString());
        });
      });
      assert.equal(await message, "online");
    } finally {
      await device.end();
    }
  });

  it("records a discovered sensor's readings under its key, with its room and unit", async () => {
    await bus.publish("homeassistant/sensor/gh1/temperature/config", JSON.stringify(greenhouse), { retain: true });
    await bus.publish("zigbee2mqtt/Greenhouse sensor", JSON.stringify({ temperature: 23.4, humidity: 60 }));
    await recordedCount(1);
    assert.deepEqual(recorded, [
      {
        topic: "ha:sensor/gh1/temperature",
        room: "greenhouse_sensor",
        measurement: "temperature",
        value: 23.4,
        unit: "°C",
        ts: T0,
      },
    ]);
    await until(() => lines.some((l) => l.startsWith("info devices announced")));
    assert.ok(lines.some((l) => l.startsWith('info devices announced {"count":1,"new":1,"changed":0,"unchanged":0,"topics":"homeassistant/sensor/gh1/temperature/config"}')));
  });

  it("a burst of configs is one log line, counted, and a re-announce of the same ones says unchanged (review 10, F14); the ACL knows every switch (F16)", async () => {
    const plug = (i: number) => JSON.stringify({ name: null, cmd_t: `zigbee2mqtt/Plug ${i}/set`, stat_t: `zigbee2mqtt/Plug ${i}`, dev: { name: `Plug ${i}`, ids: `p${i}` } });
    const announce = () => Promise.all(Array.from({ length: 300 }, (_, i) => bus.publish(`homeassistant/switch/p${i}/switch/config`, plug(i), { retain: true })));
    await announce();
    await until(() => lines.some((l) => l.startsWith("info devices announced")));
    assert.ok(Array.from({ length: 300 }, (_, i) => registry.isCommandTopic(`zigbee2mqtt/Plug ${i}/set`)).every(Boolean));
    await announce();
    await until(() => lines.filter((l) => l.startsWith("info devices announced")).length === 2);
    const info = lines.filter((l) => l.startsWith("info"));
    assert.deepEqual(info, ['info devices announced {"count":300,"new":300,"changed":0,"unchanged":0}', 'info devices announced {"count":300,"new":0,"changed":0,"unchanged":300}']);
  });

  it("knows the devices whose configs the broker already retains when it starts, in one rebuild and one log line (review-10 F15)", async () => {
    const plug = { name: null, cmd_t: "zigbee2mqtt/Kitchen plug/set", stat_t: "zigbee2mqtt/Kitchen plug", dev: { name: "Kitchen plug", ids: "kp" } };
    await bus.publish("homeassistant/switch/kp/switch/config", JSON.stringify(plug), { qos: 1, retain: true });
    await bus.publish("homeassistant/sensor/gh1/temperature/config", JSON.stringify(greenhouse), { qos: 1, retain: true });
    // A second registry, as after a restart: the configs are only in the broker's retained set.
    lines.length = 0;
    const restarted = await startDeviceRegistry(bus, { config: [], record: (reading) => void recorded.push(reading), log, retainBirth: false });
    try {
      assert.equal(restarted.isCommandTopic("zigbee2mqtt/Kitchen plug/set"), true);
      assert.deepEqual(lines.filter((l) => l.startsWith("info")), ['info devices restored from retained discovery configs {"entities":2}']);
      await bus.publish("zigbee2mqtt/Greenhouse sensor", JSON.stringify({ temperature: 19 }));
      // Once by the registry of beforeEach, which heard the config live, once by the restarted one.
      assert.equal(recorded.filter((r) => r.topic === "ha:sensor/gh1/temperature").length, 2);
    } finally {
      await restarted.stop();
    }
  });

  it("keeps the last state and availability of discovered switches and binary sensors, not retained, and forgets a removed one (review-10 F1)", async () => {
    const door = {
      name: "Door",
      stat_t: "zigbee2mqtt/Back door",
      val_tpl: "{{ value_json.contact }}",
      pl_on: false,
      pl_off: true,
      dev_cla: "door",
      avty: [{ topic: "zigbee2mqtt/bridge/state", val_tpl: "{{ value_json.state }}" }],
      dev: { name: "Back door", ids: "bd" },
    };
    await bus.publish("homeassistant/binary_sensor/bd/contact/config", JSON.stringify(door), { retain: true });
    await bus.publish("homeassistant/sensor/gh1/temperature/config", JSON.stringify(greenhouse), { retain: true });
    await bus.publish("zigbee2mqtt/bridge/state", '{"state":"online"}', { retain: true });
    await bus.publish("zigbee2mqtt/Back door", '{"contact":true}');
    await bus.publish("zigbee2mqtt/Back door", '{"contact":false,"battery":97}');
    // A sensor's readings come from history; only what history cannot say is kept.
    await bus.publish("zigbee2mqtt/Greenhouse sensor", JSON.stringify({ temperature: 23.4 }));
    assert.deepEqual(registry.lastStates(), [
      { topic: "zigbee2mqtt/bridge/state", payload: '{"state":"online"}', at: T0 },
      { topic: "zigbee2mqtt/Back door", payload: '{"contact":false,"battery":97}', at: T0 },
    ]);
    await bus.publish("homeassistant/binary_sensor/bd/contact/config", "", { retain: true });
    assert.deepEqual(registry.lastStates(), []);
  });

  it("records a device whose state topic is under homeassistant/ too, from its first message after the config (the `#` handler's early return is for configs)", async () => {
    // DIY firmware often publishes both under the prefix: …/bedroom/config, then …/bedroom/state at once.
    const bedroom = { name: "Temperature", stat_t: "homeassistant/sensor/bedroom/state", val_tpl: "{{ value_json.temperature }}", unit_of_meas: "°C", dev: { name: "Bedroom", ids: "br" } };
    const lamp = { name: null, cmd_t: "homeassistant/switch/lamp/set", stat_t: "homeassistant/switch/lamp/state", dev: { name: "Lamp", ids: "lamp" } };
    await bus.publish("homeassistant/sensor/bedroom/config", JSON.stringify(bedroom), { retain: true });
    await bus.publish("homeassistant/switch/lamp/config", JSON.stringify(lamp), { retain: true });
    await bus.publish("homeassistant/sensor/bedroom/state", JSON.stringify({ temperature: 21.5 }));
    await bus.publish("homeassistant/switch/lamp/state", "ON");
    assert.deepEqual(recorded.map((r) => [r.topic, r.value]), [["ha:sensor/bedroom", 21.5]]);
    assert.deepEqual(registry.lastStates(), [{ topic: "homeassistant/switch/lamp/state", payload: "ON", at: T0 }]);
  });

  it("a device-based config (HA 2024.11) records its sensors and lets its switch be commanded, until its empty config removes them all (review-10 F4)", async () => {
    const gateway = {
      dev: { ids: "gw01", name: "Garden gateway" },
      o: { name: "demo" },
      stat_t: "garden/gw01",
      cmps: {
        t: { p: "sensor", unit_of_meas: "°C", val_tpl: "{{ value_json.temperature }}", uniq_id: "gw01_t" },
        pump: { p: "switch", cmd_t: "garden/gw01/pump/set", val_tpl: "{{ value_json.pump }}", uniq_id: "gw01_pump" },
        restart: { p: "button", cmd_t: "garden/gw01/restart", uniq_id: "gw01_restart" },
      },
    };
    await bus.publish("homeassistant/device/gw01/config", JSON.stringify(gateway), { retain: true });
    await bus.publish("garden/gw01", JSON.stringify({ temperature: 12.5, pump: "ON" }));
    await recordedCount(1);
    assert.deepEqual(recorded.map((r) => [r.topic, r.value, r.unit]), [["ha:sensor/gw01/t", 12.5, "°C"]]);
    assert.equal(registry.isCommandTopic("garden/gw01/pump/set"), true);
    assert.ok(lines.some((l) => l.startsWith("warn discovery components ignored") && l.includes("button/gw01/restart (unsupported-component")));

    await bus.publish("homeassistant/device/gw01/config", "", { retain: true });
    assert.equal(registry.isCommandTopic("garden/gw01/pump/set"), false);
    assert.ok(lines.some((l) => l.startsWith('info device removed {"topic":"homeassistant/device/gw01/config"}')));
  });

  it("a Tasmota device that announces itself natively (tasmota/discovery/<MAC>/config + /sensors) has its relay commanded through the ACL and its energy recorded (review-10 F2)", async () => {
    await bus.publish("tasmota/discovery/A4CF12F0C1D2/sensors", JSON.stringify(PLUG_SENSORS), { retain: true });
    await bus.publish("tasmota/discovery/A4CF12F0C1D2/config", JSON.stringify(PLUG_CONFIG), { retain: true });
    assert.equal(registry.isCommandTopic("cmnd/tasmota_F0C1D2/POWER1"), true);
    await bus.publish("tele/tasmota_F0C1D2/SENSOR", JSON.stringify({ Time: "2026-11-30T20:45:00", ENERGY: { Total: 12.4, Power: 1850, Voltage: 231 } }));
    await recordedCount(3);
    assert.deepEqual(
      recorded.map((r) => [r.topic, r.value, r.unit]),
      [
        ["ha:sensor/A4CF12F0C1D2/ENERGY_Total", 12.4, "kWh"],
        ["ha:sensor/A4CF12F0C1D2/ENERGY_Power", 1850, "W"],
        ["ha:sensor/A4CF12F0C1D2/ENERGY_Voltage", 231, "V"],
      ],
    );
    await bus.publish("tasmota/discovery/A4CF12F0C1D2/config", "", { retain: true });
    assert.equal(registry.isCommandTopic("cmnd/tasmota_F0C1D2/POWER1"), false);
  });

  it("asks a Tasmota plug for its state when it says Online, and keeps its answer on RESULT for a page that opens later (review-15 L3)", async () => {
    await bus.publish("tasmota/discovery/A4CF12F0C1D2/config", JSON.stringify(PLUG_CONFIG), { retain: true });
    const plug = await tasmotaPlug(broker.url, "ON");
    try {
      // Its LWT "Online" came before its subscription to cmnd/<t>/#: the poll still reaches it.
      assert.equal(await plug.nextCommand("STATE"), "");
      await until(() => registry.lastStates().some((s) => s.topic === "stat/tasmota_F0C1D2/RESULT"));
      const result = registry.lastStates().find((s) => s.topic === "stat/tasmota_F0C1D2/RESULT")!;
      assert.equal(JSON.parse(result.payload).POWER, "ON");
      assert.ok(registry.lastStates().some((s) => s.topic === "tele/tasmota_F0C1D2/LWT" && s.payload === "Online"));
    } finally {
      await plug.end();
    }
  });

  it("asks a discovered Tasmota plug whose retained LWT says Online for its state when the hub starts (review-15 L3)", async () => {
    await bus.publish("tasmota/discovery/A4CF12F0C1D2/config", JSON.stringify(PLUG_CONFIG), { retain: true });
    await bus.publish("tele/tasmota_F0C1D2/LWT", "Online", { retain: true });
    await registry.stop();
    // The plug stays connected across the hub's restart, as it does to a user's own broker.
    const device = await connectMqttBus(broker.url, { clientId: "tasmota-F0C1D2", reconnectPeriod: 0 });
    try {
      let answer: (polled: string) => void = () => {};
      const polled = new Promise<string>((resolve) => (answer = resolve));
      await device.subscribe("cmnd/tasmota_F0C1D2/#", ({ topic, payload }) => answer(`${topic} ${JSON.stringify(payload.toString())}`));
      registry = await startDeviceRegistry(bus, { config: [], record: () => {}, log, summaryAfterMs: 0, pollAfterMs: 250 });
      assert.equal(await polled, 'cmnd/tasmota_F0C1D2/STATE ""');
    } finally {
      await device.end();
    }
  });

  it("records a field of a device state over 1 KiB, as Zigbee2MQTT sends with schedules or device information (review-10 F12)", async () => {
    await bus.publish("homeassistant/sensor/gh1/temperature/config", JSON.stringify(greenhouse));
    const device = { friendlyName: "Greenhouse sensor", model: "WSDCGQ11LM", manufacturerName: "Aqara", ieeeAddr: "0x00158d0001e2d3a4" };
    const state = JSON.stringify({ temperature: 23.4, humidity: 61, device, update: { state: "idle" }, schedule: "x".repeat(1500) });
    assert.ok(state.length > 1024);
    await bus.publish("zigbee2mqtt/Greenhouse sensor", state);
    await recordedCount(1);
    assert.deepEqual(recorded.map((r) => [r.topic, r.value]), [["ha:sensor/gh1/temperature", 23.4]]);
  });

  it("stops recording a removed sensor", async () => {
    await bus.publish("homeassistant/sensor/gh1/temperature/config", JSON.stringify(greenhouse));
    await bus.publish("homeassistant/sensor/gh1/temperature/config", "");
    await bus.publish("zigbee2mqtt/Greenhouse sensor", JSON.stringify({ temperature: 23.4 }));
    const barrier = { ...greenhouse, stat_t: "zigbee2mqtt/Shed sensor", dev: { name: "Shed sensor", ids: "shed" } };
    await bus.publish("homeassistant/sensor/shed/temperature/config", JSON.stringify(barrier));
    await bus.publish("zigbee2mqtt/Shed sensor", JSON.stringify({ temperature: 9 }));
    await recordedCount(1);
    assert.deepEqual(recorded.map((r) => [r.topic, r.value]), [["ha:sensor/shed/temperature", 9]]);
  });

  it("leaves sensors whose payload is the number to the recorder, naming their declared unit, tells it to skip the topics it reads itself, and logs a bad config with its code", async () => {
    await bus.publish("homeassistant/sensor/attic/t/config", JSON.stringify({ stat_t: "home/attic/temperature" }));
    await bus.publish("homeassistant/sensor/esp/t/config", JSON.stringify({ stat_t: "esp/sensor/t/state", unit_of_meas: "°F" }));
    await bus.publish("homeassistant/switch/broken/config", "{nope");
    await bus.publish("home/attic/temperature", "30");
    await bus.publish("esp/sensor/t/state", "68");
    await bus.publish("pool/temp", "26");
    await bus.publish("homeassistant/sensor/gh1/temperature/config", JSON.stringify(greenhouse));
    await bus.publish("zigbee2mqtt/Greenhouse sensor", JSON.stringify({ temperature: 23.4 }));
    await recordedCount(1);
    assert.deepEqual(recorded.map((r) => r.topic), ["ha:sensor/gh1/temperature"]);
    assert.deepEqual(
      ["esp/sensor/t/state", "pool/temp", "home/attic/temperature", "zigbee2mqtt/Greenhouse sensor", "other/topic"].map((t) => registry.routeOf(t)),
      [{ skip: false, unit: "°F" }, { skip: false, unit: "°C" }, { skip: false, unit: null }, { skip: false, unit: null, quiet: true }, null],
    );
    assert.ok(lines.some((l) => l.startsWith("warn discovery config ignored") && l.includes('"code":"bad-json"')));
  });

  it("records through filtered templates, skips messages `| is_defined` finds nothing in and hidden entities, and names a template it cannot read (review-10 F3, F13)", async () => {
    // OpenMQTTGateway BLE (config_mqttDiscovery.h jsonTempc); Zigbee2MQTT's hidden power_outage_count.
    const ble = { stat_t: "home/OMG_ESP32_BLE/BTtoMQTT/A4C138AABBCC", dev_cla: "temperature", unit_of_meas: "°C", name: "LYWSD03MMC-temp", uniq_id: "A4C138AABBCC-tempc", val_tpl: "{{ value_json.tempc | is_defined }}", dev: { ids: ["A4C138AABBCC"], name: "LYWSD03MMC" } };
    const outages = { ...greenhouse, name: "Power outage count", val_tpl: '{{ value_json["power_outage_count"] }}', unit_of_meas: undefined, enabled_by_default: false };
    await bus.publish("homeassistant/sensor/A4C138AABBCC-tempc/config", JSON.stringify(ble));
    await bus.publish("homeassistant/sensor/gh1/power_outage_count/config", JSON.stringify(outages));
    await bus.publish("homeassistant/sensor/bridge/map/config", JSON.stringify({ stat_t: "zigbee2mqtt/bridge/map", val_tpl: "{{ now().strftime('%H') }}" }));
    await bus.publish("home/OMG_ESP32_BLE/BTtoMQTT/A4C138AABBCC", JSON.stringify({ id: "A4:C1:38:AA:BB:CC", rssi: -80 }));
    await bus.publish("zigbee2mqtt/Greenhouse sensor", JSON.stringify({ temperature: 23.4, power_outage_count: 3 }));
    await bus.publish("home/OMG_ESP32_BLE/BTtoMQTT/A4C138AABBCC", JSON.stringify({ id: "A4:C1:38:AA:BB:CC", tempc: 21.4, rssi: -71 }));
    await recordedCount(1);
    assert.deepEqual(recorded.map((r) => [r.topic, r.value, r.unit]), [["ha:sensor/A4C138AABBCC-tempc", 21.4, "°C"]]);
    assert.ok(lines.some((l) => l.startsWith("warn discovery config ignored") && l.includes("unsupported-template") && l.includes("now()")), lines.join("\n"));
    assert.ok(!lines.some((l) => l.includes("unreadable discovered reading")), lines.join("\n"));
  });
});

describe("the recorder and the registry together", { timeout: 10_000 }, () => {
  it("store a plain-numeric discovered sensor once, under its topic, in its declared unit (issue 12: one parse, one row)", async () => {
    const history = openSqliteHistory(":memory:");
    let devices: HubDeviceRegistry | null = null;
    const recorder = await startRecorder(bus, history, {
      log,
      routeOf: (topic) => devices?.routeOf(topic) ?? null,
    });
    devices = await startDeviceRegistry(bus, { config: [], record: (reading) => recorder.record(reading), log });
    try {
      await bus.publish("homeassistant/sensor/esp/t/config", JSON.stringify({ stat_t: "esp/sensor/t/state", unit_of_meas: "°F" }));
      await bus.publish("homeassistant/sensor/gh1/temperature/config", JSON.stringify(greenhouse));
      await bus.publish("esp/sensor/t/state", "68");
      // The hub's own publish resolves once its durable effects, the history rows, have committed.
      await bus.publish("zigbee2mqtt/Greenhouse sensor", JSON.stringify({ temperature: 23.4 }));
      assert.deepEqual(await history.topics(), [
        { topic: "esp/sensor/t/state", unit: "°F" },
        { topic: "ha:sensor/gh1/temperature", unit: "°C" },
      ]);
      assert.equal(recorder.stats().recorded, 2);
    } finally {
      await devices.stop();
      await recorder.stop();
      await history.close();
    }
  });
});

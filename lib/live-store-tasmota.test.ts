// A stock Tasmota plug added by hand (review-10 F2): Tasmota announces itself on
// tasmota/discovery/<MAC>/config, which Hearth does not read, so the config file's
// `devices` names its topics, and a valueTemplate reads its JSON telemetry.
// Payloads as Tasmota publishes them: `stat/<t>/POWER` ON, `tele/<t>/LWT` Online,
// `tele/<t>/SENSOR` {"Time":…,"ENERGY":{…}}.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { devicesConfigSchema } from "./devices/device-config";
import { liveStoreHarness } from "./live-store-harness";
import { BASE_SUBSCRIPTIONS } from "./live-store";
import { BOARD_STATE, PLUG_CONFIG, PLUG_RESULT_OFF, PLUG_SENSORS, PLUG_STATE_ON } from "./devices/fixtures/tasmota";

const devices = devicesConfigSchema.parse([
  {
    id: "kettle_plug",
    name: "Kettle plug",
    room: "kitchen",
    stateTopic: "stat/tasmota_F0C1D2/POWER",
    commandTopic: "cmnd/tasmota_F0C1D2/POWER",
    availabilityTopic: "tele/tasmota_F0C1D2/LWT",
  },
  {
    id: "kettle_power",
    name: "Kettle power",
    room: "kitchen",
    kind: "sensor",
    stateTopic: "tele/tasmota_F0C1D2/SENSOR",
    valueTemplate: "{{ value_json.ENERGY.Power }}",
    unit: "W",
  },
]);

describe("a Tasmota plug from the config file", () => {
  it("its relay is a switch with availability, and its power reads from the JSON telemetry", () => {
    const { store, deliver, flush } = liveStoreHarness();
    store.setDeviceConfig(devices);
    flush();
    deliver(["tele/tasmota_F0C1D2/LWT", "Online"], ["stat/tasmota_F0C1D2/POWER", "ON"]);
    deliver([
      "tele/tasmota_F0C1D2/SENSOR",
      '{"Time":"2026-11-30T20:40:00","ENERGY":{"TotalStartTime":"2026-01-01T00:00:00","Total":12.3,"Yesterday":0.4,"Today":0.1,"Power":1850,"ApparentPower":1860,"ReactivePower":40,"Factor":0.99,"Voltage":231,"Current":8.05}}',
    ]);
    const plug = store.getDevice("kettle_plug");
    assert.deepEqual([plug?.state, plug?.availability, plug?.command?.topic], ["ON", "online", "cmnd/tasmota_F0C1D2/POWER"]);
    const power = store.getTopic("kettle_power");
    assert.deepEqual([power?.name, power?.reading?.value, power?.reading?.unit, power?.error], ["Kettle power", 1850, "W", null]);
  });

  it("a valueTemplate Hearth cannot read stops the config with the part named", () => {
    const result = devicesConfigSchema.safeParse([{ id: "x", kind: "sensor", stateTopic: "a/b", valueTemplate: "{{ now() }}" }]);
    assert.equal(result.success, false);
    assert.match(result.error?.issues[0].message ?? "", /does not understand now\(\)/);
  });
});

describe("a Tasmota device that announces itself (tasmota/discovery/<MAC>/config + /sensors, review-10 F2)", () => {
  it("shows its relay as a switch with its state, availability and command, and its energy readings, with no config file", () => {
    const { store, deliver } = liveStoreHarness();
    assert.ok(BASE_SUBSCRIPTIONS.includes("tasmota/discovery/#"), "the page subscribes to Tasmota's announcements");
    deliver(["tasmota/discovery/A4CF12F0C1D2/config", PLUG_CONFIG, true], ["tasmota/discovery/A4CF12F0C1D2/sensors", PLUG_SENSORS, true]);
    deliver(["tele/tasmota_F0C1D2/LWT", "Online", true], ["stat/tasmota_F0C1D2/POWER", "ON"]);
    deliver(["tele/tasmota_F0C1D2/SENSOR", '{"Time":"2026-11-30T20:45:00","ENERGY":{"Total":12.4,"Power":1850,"Voltage":231}}']);
    const plug = store.getDevice("ha:switch/A4CF12F0C1D2/relay_0");
    assert.deepEqual(
      [plug?.name, plug?.state, plug?.availability, plug?.command?.topic, plug?.command?.on],
      ["Kettle plug", "ON", "online", "cmnd/tasmota_F0C1D2/POWER1", "ON"],
    );
    const power = store.getTopic("ha:sensor/A4CF12F0C1D2/ENERGY_Power");
    assert.deepEqual([power?.name, power?.reading?.value, power?.reading?.unit], ["Kettle plug ENERGY Power", 1850, "W"]);
    assert.ok(store.getSubscriptions().includes("tele/tasmota_F0C1D2/SENSOR"));
  });
});

describe("a discovered Tasmota relay's state on stat/<t>/RESULT and tele/<t>/STATE (review-15 L3)", () => {
  const PLUG = "ha:switch/A4CF12F0C1D2/relay_0";

  it("follows a command's RESULT and the periodic STATE, and ignores a RESULT about something else", () => {
    const { store, deliver } = liveStoreHarness();
    deliver(["tasmota/discovery/A4CF12F0C1D2/config", PLUG_CONFIG, true], ["tele/tasmota_F0C1D2/LWT", "Online", true]);
    assert.ok(store.getSubscriptions().includes("stat/tasmota_F0C1D2/RESULT") && store.getSubscriptions().includes("tele/tasmota_F0C1D2/STATE"));
    assert.equal(store.getDevice(PLUG)?.state, null);
    deliver(["tele/tasmota_F0C1D2/STATE", PLUG_STATE_ON]);
    assert.equal(store.getDevice(PLUG)?.state, "ON", "the periodic STATE");
    deliver(["stat/tasmota_F0C1D2/RESULT", PLUG_RESULT_OFF]);
    assert.equal(store.getDevice(PLUG)?.state, "OFF", "a command's RESULT");
    deliver(["stat/tasmota_F0C1D2/RESULT", { Dimmer: 40 }]);
    assert.equal(store.getDevice(PLUG)?.state, "OFF");
  });

  it("a two-relay board's relays each follow their own POWER<n>", () => {
    const { store, deliver } = liveStoreHarness();
    deliver(["tasmota/discovery/A4CF12F0C1D2/config", { ...PLUG_CONFIG, rl: [1, 1, 0, 0] }, true]);
    deliver(["tele/tasmota_F0C1D2/STATE", BOARD_STATE]);
    const states = () => [0, 1].map((i) => store.getDevice(`ha:switch/A4CF12F0C1D2/relay_${i}`)?.state);
    assert.deepEqual(states(), ["OFF", "ON"]);
    deliver(["stat/tasmota_F0C1D2/RESULT", { POWER1: "ON" }]);
    assert.deepEqual(states(), ["ON", "ON"]);
  });

  it("a page opening later shows the latest of what the hub kept on the relay's topics, whatever their order", () => {
    const { store: page, deliver } = liveStoreHarness();
    page.seedStates([
      { topic: "tele/tasmota_F0C1D2/STATE", payload: JSON.stringify(PLUG_STATE_ON), at: 20 },
      { topic: "stat/tasmota_F0C1D2/RESULT", payload: JSON.stringify(PLUG_RESULT_OFF), at: 30 },
    ]);
    deliver(["tasmota/discovery/A4CF12F0C1D2/config", PLUG_CONFIG, true]);
    assert.equal(page.getDevice(PLUG)?.state, "OFF", "RESULT (at 30) is later than STATE (at 20)");
  });
});

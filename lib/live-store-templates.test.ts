// Real devices' value_templates, through the live store as the page sees them (review-10 F3).
// Payloads as the publishers write them: OpenMQTTGateway (main/config_mqttDiscovery.h: `| is_defined`;
// BLE readings on `home/<gateway>/BTtoMQTT/<MAC>`), rtl_433 (examples/rtl_433_mqtt_hass.py:
// `{{ value|float|round(1) }}` on `rtl_433/<model>/<id>/<field>`), Zigbee2MQTT (lib/extension/homeassistant.ts:
// text sensors and switches of boolean attributes).
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it, mock } from "node:test";
import { liveStoreHarness } from "./live-store-harness";

const setup = liveStoreHarness;

let warn: ReturnType<typeof mock.method>;
beforeEach(() => {
  warn = mock.method(console, "warn", () => {});
});
afterEach(() => warn.mock.restore());

const z2mDevice = { identifiers: ["zigbee2mqtt_0x0017880104e45517"], manufacturer: "Tuya", model: "Smart plug (TS011F_plug_1)", name: "Desk plug" };
const z2mAvailability = { availability: [{ topic: "zigbee2mqtt/bridge/state", value_template: "{{ value_json.state }}" }] };

describe("value templates of real devices", () => {
  it("OpenMQTTGateway BLE: `| is_defined` reads its key and skips the messages without it", () => {
    const { store, deliver } = setup();
    deliver([
      "homeassistant/sensor/A4C138AABBCC-tempc/config",
      {
        stat_t: "home/OMG_ESP32_BLE/BTtoMQTT/A4C138AABBCC",
        dev_cla: "temperature",
        unit_of_meas: "°C",
        name: "LYWSD03MMC-temp",
        uniq_id: "A4C138AABBCC-tempc",
        val_tpl: "{{ value_json.tempc | is_defined }}",
        state_class: "measurement",
        dev: { ids: ["A4C138AABBCC"], cns: [["mac", "A4C138AABBCC"]], mf: "Xiaomi", mdl: "LYWSD03MMC", name: "LYWSD03MMC-AABBCC", via_device: "OMG_ESP32_BLE" },
      },
      true,
    ]);
    const key = "ha:sensor/A4C138AABBCC-tempc";
    deliver(["home/OMG_ESP32_BLE/BTtoMQTT/A4C138AABBCC", { id: "A4:C1:38:AA:BB:CC", model: "LYWSD03MMC", tempc: 21.4, hum: 48, batt: 87, rssi: -71 }]);
    assert.deepEqual([store.getTopic(key)?.reading?.value, store.getTopic(key)?.reading?.unit], [21.4, "°C"]);
    // An advertisement without the key (rssi only): no value in it, not an error.
    deliver(["home/OMG_ESP32_BLE/BTtoMQTT/A4C138AABBCC", { id: "A4:C1:38:AA:BB:CC", rssi: -80 }]);
    assert.deepEqual([store.getTopic(key)?.reading?.value, store.getTopic(key)?.error], [21.4, null]);
  });

  it("rtl_433: `{{ value|float|round(1) }}` on a bare-number topic", () => {
    const { store, deliver } = setup();
    deliver([
      "homeassistant/sensor/Acurite-Tower-A-11822/Acurite-Tower-A-11822-T/config",
      {
        device: { identifiers: ["Acurite-Tower-A-11822"], manufacturer: "Acurite", model: "Tower", name: "Acurite-Tower-A-11822", sw_version: "rtl_433" },
        device_class: "temperature",
        name: "Temperature",
        unit_of_measurement: "°C",
        value_template: "{{ value|float|round(1) }}",
        state_class: "measurement",
        state_topic: "rtl_433/Acurite-Tower/A/11822/temperature_C",
        unique_id: "Acurite-Tower-A-11822-T",
      },
      true,
    ]);
    deliver(["rtl_433/Acurite-Tower/A/11822/temperature_C", "18.66"]);
    const topic = store.getTopic("rtl_433/Acurite-Tower/A/11822/temperature_C");
    assert.deepEqual([topic?.name, topic?.reading?.value, topic?.reading?.unit], ["Acurite-Tower-A-11822 Temperature", 18.7, "°C"]);
  });

  it("Zigbee2MQTT: a switch of a boolean attribute, and a text sensor", () => {
    const { store, deliver } = setup();
    deliver(
      [
        "homeassistant/switch/0x0017880104e45517/switch_child_lock/config",
        {
          ...z2mAvailability,
          command_topic: "zigbee2mqtt/Desk plug/set/child_lock",
          device: z2mDevice,
          name: "Child lock",
          object_id: "desk_plug_child_lock",
          payload_off: "false",
          payload_on: "true",
          state_topic: "zigbee2mqtt/Desk plug",
          unique_id: "0x0017880104e45517_switch_child_lock_zigbee2mqtt",
          value_template: '{% if value_json["child_lock"] %}true{% else %}false{% endif %}',
        },
        true,
      ],
      [
        "homeassistant/sensor/0x0017880104e45517/power_on_behavior/config",
        {
          ...z2mAvailability,
          device: z2mDevice,
          name: "Power-on behavior",
          object_id: "desk_plug_power_on_behavior",
          state_topic: "zigbee2mqtt/Desk plug",
          unique_id: "0x0017880104e45517_power_on_behavior_zigbee2mqtt",
          value_template: "{{ value_json[\"power_on_behavior\"] | default('',True) | string | truncate(254, True, '', 0) }}",
        },
        true,
      ],
    );
    const lock = "ha:switch/0x0017880104e45517/switch_child_lock";
    assert.ok(store.getDevice(lock), "the switch is listed");
    deliver(["zigbee2mqtt/Desk plug", { child_lock: true, power_on_behavior: "previous", state: "ON", linkquality: 87 }]);
    assert.equal(store.getDevice(lock)?.state, "ON");
    assert.deepEqual(store.getDevice(lock)?.command, { topic: "zigbee2mqtt/Desk plug/set/child_lock", on: "true", off: "false", timeoutMs: null, optimistic: false });
    deliver(["zigbee2mqtt/Desk plug", { child_lock: false, power_on_behavior: "previous", state: "ON" }]);
    assert.equal(store.getDevice(lock)?.state, "OFF");
    assert.ok(store.getTopic("ha:sensor/0x0017880104e45517/power_on_behavior"), "the text sensor is listed");
  });

  it("a template Hearth cannot read refuses its entity with a warning naming the part", () => {
    const { store, deliver } = setup();
    deliver(["homeassistant/sensor/bridge/last_map/config", { stat_t: "zigbee2mqtt/bridge/response/networkmap", val_tpl: "{{ now().strftime('%Y-%m-%d %H:%M:%S') }}" }]);
    assert.deepEqual(store.getRooms(), []);
    assert.match(String(warn.mock.calls[0]?.arguments[0]), /\(unsupported-template\).*does not understand now\(\)/);
  });
});

// ESPHome announces a text_sensor as component `sensor` with no unit (esphome/components/mqtt/
// mqtt_text_sensor.cpp component_type "sensor"), and publishes `nan` for a sensor that failed
// (mqtt_sensor.cpp value_accuracy_to_string). Review-10 F11.
describe("text sensors and readings with no value", () => {
  const esphomeDevice = { ids: "a4cf12f0c1d2", name: "livingroom", sw: "2025.7.0", mdl: "esp32dev", mf: "Espressif", cns: [["mac", "a4cf12f0c1d2"]] };

  it("an ESPHome text sensor shows its text, not an unreadable tile", () => {
    const { store, deliver } = setup();
    deliver([
      "homeassistant/sensor/livingroom/ip_address/config",
      { name: "IP Address", stat_t: "livingroom/sensor/ip_address/state", avty_t: "livingroom/status", uniq_id: "ESPsensorip_address", ent_cat: "diagnostic", ic: "mdi:ip-network", dev: esphomeDevice },
      true,
    ]);
    deliver(["livingroom/sensor/ip_address/state", "192.168.1.57", true]);
    const topic = store.getTopic("livingroom/sensor/ip_address/state");
    assert.deepEqual([topic?.text, topic?.error, topic?.reading], ["192.168.1.57", null, null]);
    assert.equal(warn.mock.callCount(), 0);
  });

  it("`nan` from an ESPHome sensor is no value: no error, and no warning", () => {
    const { store, deliver } = setup();
    deliver([
      "homeassistant/sensor/livingroom/temperature/config",
      { dev_cla: "temperature", unit_of_meas: "°C", stat_cla: "measurement", name: "Temperature", stat_t: "livingroom/sensor/temperature/state", uniq_id: "ESPsensortemperature", dev: esphomeDevice },
      true,
    ]);
    deliver(["livingroom/sensor/temperature/state", "21.5"]);
    deliver(["livingroom/sensor/temperature/state", "nan"]);
    const topic = store.getTopic("livingroom/sensor/temperature/state");
    assert.deepEqual([topic?.reading?.value, topic?.error, topic?.text], [21.5, null, null]);
    assert.equal(warn.mock.callCount(), 0);
  });

  it("a sensor with a unit that reports text is still unreadable", () => {
    const { store, deliver } = setup();
    deliver([
      "homeassistant/sensor/livingroom/temperature/config",
      { dev_cla: "temperature", unit_of_meas: "°C", name: "Temperature", stat_t: "livingroom/sensor/temperature/state", dev: esphomeDevice },
      true,
    ]);
    deliver(["livingroom/sensor/temperature/state", "warm"]);
    assert.equal(store.getTopic("livingroom/sensor/temperature/state")?.error?.code, "not-a-number");
  });
});

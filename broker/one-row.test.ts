// Issue 12, "one parse, one stored row", for discovered sensors with a value_template
// (review-14 F1, F4; the reviewer's proofs): a converting template is applied once and
// stored once, whatever the topic, and a device's JSON state is parsed once for all its sensors.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Logger } from "../lib/log";
import { openSqliteHistory } from "../lib/history/sqlite-store";
import { startBusBroker, type BusBroker } from "./test-bus-broker";
import type { Recorder } from "./recorder";
import { startRecording } from "./recording";

const log: Logger = { debug() {}, info() {}, warn() {}, error() {} };
let broker: BusBroker;
before(async () => {
  broker = await startBusBroker({ now: () => 1_700_000_000_000 });
});
after(async () => {
  await broker.close();
});

/** The hub's recorder and device registry, started as broker/hub.ts starts them, around `run`. */
async function withHub(run: (h: { recorder: Recorder; history: ReturnType<typeof openSqliteHistory> }) => Promise<void>) {
  const history = openSqliteHistory(":memory:");
  const { recorder, devices } = await startRecording(broker.bus, history, { recorder: { log }, devices: { config: [], log, summaryAfterMs: 0 } });
  try {
    await run({ recorder, history });
  } finally {
    await devices.stop();
    await recorder.stop();
    await history.close();
  }
}

const config = (id: string, body: object) => broker.bus.publish(`homeassistant/sensor/${id}/config`, JSON.stringify(body));
const all = { from: 0, to: Number.MAX_SAFE_INTEGER, limit: 10 };

describe("discovered sensors with a value_template", { timeout: 10_000 }, () => {
  it("store a plain number read by a converting template, or a {\"value\":…} read with value_json, once, in the template's unit", async () => {
    await withHub(async ({ recorder, history }) => {
      await config("plug/power", { stat_t: "shellies/plug/power", unit_of_meas: "kW", val_tpl: "{{ value | float / 1000 }}" });
      await config("th/t", { stat_t: "sensors/th/temperature", unit_of_meas: "°C", val_tpl: "{{ value_json.value }}" });
      await broker.bus.publish("shellies/plug/power", "1500");
      await broker.bus.publish("sensors/th/temperature", JSON.stringify({ value: 21.5 }));
      assert.deepEqual(await history.topics(), [
        { topic: "ha:sensor/plug/power", unit: "kW" },
        { topic: "ha:sensor/th/t", unit: "°C" },
      ]);
      assert.deepEqual((await history.readRaw({ topic: "ha:sensor/plug/power", ...all })).map((r) => r.v), [1.5]);
      assert.equal(recorder.stats().recorded, 2, "two messages, two rows");
    });
  });

  it("store home/<room>/<measurement> read through a converting template under that topic, converted", async () => {
    await withHub(async ({ history }) => {
      await config("garage/power", { stat_t: "home/garage/power", unit_of_meas: "kW", val_tpl: "{{ value | float / 1000 }}" });
      await broker.bus.publish("home/garage/power", "1500");
      assert.deepEqual(await history.topics(), [{ topic: "home/garage/power", unit: "kW" }]);
      assert.deepEqual((await history.readRaw({ topic: "home/garage/power", ...all })).map((r) => r.v), [1.5]);
    });
  });

  it("store each field OpenMQTTGateway's home/<gateway>/SYStoMQTT carries, once, under its own key", async () => {
    await withHub(async ({ recorder, history }) => {
      const dev = { ids: ["OMG_ESP32_BLE"], name: "OMG_ESP32_BLE" };
      await config("OMG_ESP32_BLE-uptime", { stat_t: "home/OMG_ESP32_BLE/SYStoMQTT", unit_of_meas: "s", val_tpl: "{{ value_json.uptime }}", uniq_id: "OMG_ESP32_BLE-uptime", name: "SYS: Uptime", dev });
      await config("OMG_ESP32_BLE-freemem", { stat_t: "home/OMG_ESP32_BLE/SYStoMQTT", unit_of_meas: "B", val_tpl: "{{ value_json.freemem }}", uniq_id: "OMG_ESP32_BLE-freemem", name: "SYS: Free memory", dev });
      await broker.bus.publish("home/OMG_ESP32_BLE/SYStoMQTT", JSON.stringify({ uptime: 120, freemem: 100000 }));
      assert.deepEqual(await history.topics(), [
        { topic: "ha:sensor/OMG_ESP32_BLE-freemem", unit: "B" },
        { topic: "ha:sensor/OMG_ESP32_BLE-uptime", unit: "s" },
      ]);
      assert.deepEqual((await history.readRaw({ topic: "ha:sensor/OMG_ESP32_BLE-uptime", ...all })).map((r) => r.v), [120]);
      // Not the recorder's, though on a home/<room>/<measurement> topic: not counted (nor warned of) as unreadable.
      assert.equal(recorder.stats().unreadable, 0);
    });
  });

  for (const topic of ["home/kitchen/temperature", "sensors/th/temperature"]) {
    it(`keep ${topic}'s own {"value":…} reading when a discovered sensor reads another field of it (review-15 M1)`, async () => {
      await withHub(async ({ history }) => {
        await config(`${topic.replaceAll("/", "_")}/battery`, { stat_t: topic, unit_of_meas: "%", val_tpl: "{{ value_json.battery }}", dev_cla: "battery" });
        await broker.bus.publish(topic, JSON.stringify({ value: 21.5, battery: 87 }));
        const battery = (await history.topics()).find((t) => t.topic.startsWith("ha:"));
        assert.equal(battery?.unit, "%", "the battery, under its key");
        assert.deepEqual((await history.readRaw({ topic: battery.topic, ...all })).map((r) => r.v), [87]);
        assert.deepEqual((await history.readRaw({ topic, ...all })).map((r) => r.v), [21.5], "the topic's own reading, under the topic");
      });
    });
  }

  it("parse one Zigbee2MQTT state with three sensors once, the recorder included", async () => {
    await withHub(async ({ history }) => {
      for (const f of ["temperature", "humidity", "battery"]) {
        await config(`0xabc/${f}`, { stat_t: "zigbee2mqtt/Bedroom", unit_of_meas: "x", val_tpl: `{{ value_json.${f} }}`, uniq_id: `0xabc_${f}` });
      }
      const payload = JSON.stringify({ temperature: 21.5, humidity: 40, battery: 90, linkquality: 120 });
      const parse = JSON.parse;
      let parses = 0;
      JSON.parse = ((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
        if (text === payload) parses++;
        return parse(text, reviver);
      }) as typeof JSON.parse;
      try {
        // The hub's own publish resolves once its readings are stored.
        await broker.bus.publish("zigbee2mqtt/Bedroom", payload);
      } finally {
        JSON.parse = parse;
      }
      assert.equal((await history.topics()).length, 3);
      assert.equal(parses, 1);
    });
  });
});

describe("the hub starting", { timeout: 10_000 }, () => {
  it("stores a converting sensor's retained state once, under its key, though the recorder is handed it as it subscribes", async () => {
    const retained = await startBusBroker({ now: () => 1_700_000_000_000 });
    try {
      const { bus } = retained;
      await bus.publish("homeassistant/sensor/plug/power/config", JSON.stringify({ stat_t: "shellies/plug/power", unit_of_meas: "kW", val_tpl: "{{ value | float / 1000 }}" }), { qos: 1, retain: true });
      await bus.publish("shellies/plug/power", "1500", { qos: 1, retain: true });
      const history = openSqliteHistory(":memory:");
      const { recorder, devices } = await startRecording(bus, history, { recorder: { log }, devices: { config: [], log, summaryAfterMs: 0 } });
      try {
        await recorder.flush();
        assert.deepEqual(await history.topics(), [{ topic: "ha:sensor/plug/power", unit: "kW" }]);
        assert.deepEqual((await history.readRaw({ topic: "ha:sensor/plug/power", ...all })).map((r) => r.v), [1.5]);
      } finally {
        await devices.stop();
        await recorder.stop();
        await history.close();
      }
    } finally {
      await retained.close();
    }
  });
});

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseTemplate } from "./devices/value-template";
import { inferUnit, MAX_READING_BYTES, parseReading, type ParseResult } from "./readings";

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const parse = (payload: string | Uint8Array, measurement = "temperature"): ParseResult =>
  parseReading(
    `home/attic/${measurement}`,
    "attic",
    measurement,
    typeof payload === "string" ? new TextEncoder().encode(payload) : payload,
    NOW,
  );

describe("parseReading: readings", () => {
  const cases: [payload: string, measurement: string, value: number, unit: string, ts: number][] = [
    ["31.7", "temperature", 31.7, "°C", NOW],
    [" 31.7\n", "temperature", 31.7, "°C", NOW],
    ["-4", "temperature", -4, "°C", NOW],
    ["+4.", "temperature", 4, "°C", NOW],
    [".5", "temperature", 0.5, "°C", NOW],
    ["1e3", "power", 1000, "W", NOW],
    ["55", "humidity", 55, "%", NOW],
    ["612", "co2", 612, "ppm", NOW],
    ["3", "widgets", 3, "", NOW],
    ['{"value":31.7,"unit":"°C"}', "temperature", 31.7, "°C", NOW],
    ['{"value":88,"unit":"°F"}', "temperature", 88, "°F", NOW],
    ['{"value":"21.5"}', "temperature", 21.5, "°C", NOW],
    ['{"value":20,"ts":1795000000}', "temperature", 20, "°C", 1795000000_000],
    ['{"value":20,"ts":1795000000123}', "temperature", 20, "°C", 1795000000123],
    ['{"value":20,"ts":"2026-11-23T11:59:00Z"}', "temperature", 20, "°C", NOW - 60_000],
    ['{"value":20,"ts":"not a date"}', "temperature", 20, "°C", NOW],
    ['{"value":20,"ts":4102444800}', "temperature", 20, "°C", NOW], // 2100: a wrong clock, use receive time
    ['{"value":20,"unit":"an absurdly long unit name"}', "temperature", 20, "°C", NOW],
  ];
  for (const [payload, measurement, value, unit, ts] of cases) {
    it(`${measurement} ${payload.trim()}`, () => {
      assert.deepEqual(parse(payload, measurement), {
        ok: true,
        reading: { topic: `home/attic/${measurement}`, room: "attic", measurement, value, unit, ts },
      });
    });
  }
});

describe("parseReading: not readings", () => {
  const cases: [label: string, payload: string | Uint8Array, code: string][] = [
    ["empty", "", "empty"],
    ["text", "warm", "not-a-number"],
    ["ON", "ON", "not-a-number"],
    ["NaN", "NaN", "empty"], // ESPHome's failed sensor: no value, not garbage (review-10 F11)
    ["unavailable", "unavailable", "empty"],
    ["Infinity", "Infinity", "not-a-number"],
    ["hex", "0x1F", "not-a-number"],
    ["two numbers", "1 2", "not-a-number"],
    ["overflow", "1e999", "not-a-number"],
    ["broken JSON", '{"value":', "bad-json"],
    ["JSON without value", '{"temp":20}', "bad-json"],
    ["JSON with null value", '{"value":null}', "bad-json"],
    ["JSON with text value", '{"value":"warm"}', "bad-json"],
    ["JSON array", "[20]", "not-a-number"],
    ["invalid UTF-8", new Uint8Array([0xff, 0xfe, 0x32]), "not-utf8"],
    ["1 MB of junk", new Uint8Array(1024 * 1024).fill(0x41), "too-large"],
    ["one byte over the limit", "1".repeat(MAX_READING_BYTES + 1), "too-large"],
  ];
  for (const [label, payload, code] of cases) {
    it(label, () => {
      const result = parse(payload);
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.code, code);
      assert.ok(!result.ok && result.message.length > 0);
    });
  }
  it("says how big a huge payload was", () => {
    const result = parse(new Uint8Array(1024 * 1024));
    assert.match(!result.ok ? result.message : "", /1\.0 MB/);
  });
});

describe("inferUnit", () => {
  it("knows common measurements, case-insensitively", () => {
    assert.equal(inferUnit("temperature"), "°C");
    assert.equal(inferUnit("Humidity"), "%");
    assert.equal(inferUnit("illuminance"), "lx");
    assert.equal(inferUnit("mystery"), "");
  });
});

describe("parseReading with a value_template (a discovered sensor)", () => {
  const read = (payload: string, field: string[], unit?: string) => {
    const parsed = parseTemplate(`{{ value_json${field.map((f) => `[${JSON.stringify(f)}]`).join("")} }}`);
    assert.ok(parsed.ok);
    return parseReading("zigbee2mqtt/greenhouse", "greenhouse", "temperature", new TextEncoder().encode(payload), NOW, { template: parsed.template, unit });
  };
  const cases: [payload: string, field: string[], unit: string | undefined, expected: number | string][] = [
    ['{"temperature":23.4,"humidity":51}', ["temperature"], "°C", 23.4],
    ['{"ENERGY":{"Power":"12.5"}}', ["ENERGY", "Power"], "W", 12.5],
    ['{"humidity":51}', ["temperature"], "°C", "bad-json"],
    ['{"temperature":"warm"}', ["temperature"], "°C", "not-a-number"],
    ['{"temperature":null}', ["temperature"], "°C", "empty"], // Z2M's not-yet-known attribute: no value, not garbage
    ["23.4", ["temperature"], "°C", "bad-json"],
  ];
  for (const [payload, field, unit, expected] of cases) {
    it(`${payload} at ${field.join(".")}`, () => {
      const result = read(payload, field, unit);
      if (typeof expected === "number") {
        assert.equal(result.ok && result.reading.value, expected);
        assert.equal(result.ok && result.reading.unit, unit);
      } else assert.equal(!result.ok && result.code, expected);
    });
  }
  it("the declared unit wins over the inferred one", () => {
    const result = read('{"temperature":70}', ["temperature"], "°F");
    assert.equal(result.ok && result.reading.unit, "°F");
  });
  it("a field of a device state over 1 KiB is read, up to the device-state bound of 8 KiB (review-10 F12)", () => {
    // A Zigbee2MQTT radiator valve: schedules, an `update` block and device information around its temperature.
    const day = Array.from({ length: 6 }, (_, i) => ({ time: `${String(6 + i * 3).padStart(2, "0")}:00`, temperature: 17 + i }));
    const state = {
      local_temperature: 19.5,
      battery: 87,
      workdays_schedule: day,
      holidays_schedule: day,
      update: { state: "idle", installed_version: 16777241, latest_version: 16777241 },
      device: { friendlyName: "Bedroom radiator", model: "SPZB0001", manufacturerName: "Eurotronic", ieeeAddr: "0x00158d0004abcdef", type: "Router", powerSource: "Battery" },
      last_seen: "2026-11-30T23:00:00.000Z",
      linkquality: 72,
    };
    const payload = JSON.stringify({ ...state, note: "x".repeat(1500) });
    assert.ok(payload.length > MAX_READING_BYTES);
    const result = read(payload, ["local_temperature"], "°C");
    assert.equal(result.ok && result.reading.value, 19.5);
    const huge = read(JSON.stringify({ ...state, note: "x".repeat(9000) }), ["local_temperature"], "°C");
    assert.equal(!huge.ok && huge.code, "too-large");
    assert.match(!huge.ok ? huge.message : "", /larger than a device state \(8192 bytes at most\)/);
  });
  it("a field is looked up on the object, not its prototype", () => {
    const result = read('{"a":{}}', ["a", "constructor"]);
    assert.equal(!result.ok && result.code, "bad-json");
  });
});

// Tasmota's own discovery (review-10 F2), with the payloads a stock Tasmota 14 plug
// publishes (the shapes of tasmota/hatasmota's tests and of the review's capture).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createTasmotaDiscovery, tasmotaDiscoveryTopic } from "./tasmota-discovery";
import { evaluateTemplate } from "./value-template-eval";
import { PLUG_CONFIG, PLUG_SENSORS } from "./fixtures/tasmota";

const bytes = (value: unknown) => new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));

describe("Tasmota discovery (tasmota/discovery/<MAC>/config + /sensors)", () => {
  it("a plug's relay is a switch on its POWER topics, with its LWT; its energy readings are sensors on tele/<t>/SENSOR", () => {
    const read = createTasmotaDiscovery();
    const first = read("tasmota/discovery/A4CF12F0C1D2/config", bytes(PLUG_CONFIG));
    assert.ok(first.ok && first.kind === "config");
    assert.equal(first.id, "tasmota/A4CF12F0C1D2");
    const [relay] = first.entities;
    assert.deepEqual(
      [relay.component, relay.name, relay.stateTopic, relay.commandTopic, relay.commandOn, relay.stateOff, relay.availability[0]],
      ["switch", "Kettle plug", "stat/tasmota_F0C1D2/POWER", "cmnd/tasmota_F0C1D2/POWER1", "ON", "OFF", { topic: "tele/tasmota_F0C1D2/LWT", online: "Online", offline: "Offline", template: null }],
    );
    assert.equal(first.entities.length, 1);

    const both = read("tasmota/discovery/A4CF12F0C1D2/sensors", bytes(PLUG_SENSORS));
    assert.ok(both.ok && both.kind === "config");
    const sensors = both.entities.filter((e) => e.component === "sensor");
    assert.deepEqual(
      sensors.map((s) => [s.name, s.unit]),
      [
        ["Kettle plug ENERGY Total", "kWh"],
        ["Kettle plug ENERGY Yesterday", "kWh"],
        ["Kettle plug ENERGY Today", "kWh"],
        ["Kettle plug ENERGY Power", "W"],
        ["Kettle plug ENERGY ApparentPower", "VA"],
        ["Kettle plug ENERGY ReactivePower", "VAr"],
        ["Kettle plug ENERGY Factor", null],
        ["Kettle plug ENERGY Voltage", "V"],
        ["Kettle plug ENERGY Current", "A"],
      ],
    );
    const power = sensors.find((s) => s.name.endsWith("Power"))!;
    assert.equal(power.stateTopic, "tele/tasmota_F0C1D2/SENSOR");
    assert.deepEqual(evaluateTemplate(power.stateTemplate!, JSON.stringify({ Time: "x", ENERGY: { Power: 1850 } })), { ok: true, value: 1850 });
  });

  it("reads the two messages in either order, as a restart replays them, and an empty config removes the device", () => {
    const read = createTasmotaDiscovery();
    const early = read("tasmota/discovery/A4CF12F0C1D2/sensors", bytes(PLUG_SENSORS));
    assert.deepEqual(early, { ok: true, kind: "config", id: "tasmota/A4CF12F0C1D2", entities: [], skipped: [] });
    const full = read("tasmota/discovery/A4CF12F0C1D2/config", bytes(PLUG_CONFIG));
    assert.equal(full.ok && full.kind === "config" && full.entities.length, 10);
    assert.deepEqual(read("tasmota/discovery/A4CF12F0C1D2/config", new Uint8Array()), { ok: true, kind: "remove", id: "tasmota/A4CF12F0C1D2" });
  });

  it("a two-relay board with a temperature sensor: POWER1/POWER2, lights with SetOption30, the sample's own temperature unit, a custom full topic", () => {
    const read = createTasmotaDiscovery();
    const config = { ...PLUG_CONFIG, dn: "Porch", fn: ["Porch light", null], rl: [1, 1, 0, 0], so: { ...PLUG_CONFIG.so, "30": 1 }, ft: "%topic%/%prefix%/", t: "porch" };
    read("tasmota/discovery/A4CF12F0C1D2/config", bytes(config));
    const result = read("tasmota/discovery/A4CF12F0C1D2/sensors", bytes({ sn: { Time: "x", AM2301: { Temperature: 21.3, Humidity: 45.1, DewPoint: 8.9 }, TempUnit: "F" }, ver: 1 }));
    assert.ok(result.ok && result.kind === "config");
    assert.deepEqual(
      result.entities.map((e) => [e.component, e.name, e.stateTopic, e.commandTopic, e.unit]),
      [
        ["light", "Porch light", "porch/stat/POWER1", "porch/cmnd/POWER1", null],
        ["light", "Porch light 1", "porch/stat/POWER2", "porch/cmnd/POWER2", null],
        ["sensor", "Porch AM2301 Temperature", "porch/tele/SENSOR", null, "°F"],
        ["sensor", "Porch AM2301 Humidity", "porch/tele/SENSOR", null, "%"],
        ["sensor", "Porch AM2301 DewPoint", "porch/tele/SENSOR", null, "°F"],
      ],
    );
  });

  it("refuses what is not a Tasmota announcement, with a code", () => {
    const read = createTasmotaDiscovery();
    assert.equal(tasmotaDiscoveryTopic("tasmota/discovery/a4cf12/config"), null); // hatasmota: upper-case MACs only
    const mismatch = read("tasmota/discovery/000000000000/config", bytes(PLUG_CONFIG));
    assert.deepEqual(mismatch.ok ? null : [mismatch.code, mismatch.message], ["invalid-config", 'mac: "A4CF12F0C1D2" is not the topic\'s 000000000000']);
    const bad = read("tasmota/discovery/A4CF12F0C1D2/config", bytes("{"));
    assert.equal(bad.ok ? null : bad.code, "bad-json");
    const missing = read("tasmota/discovery/A4CF12F0C1D2/config", bytes({ ...PLUG_CONFIG, t: undefined }));
    assert.equal(missing.ok ? null : missing.code, "invalid-config");
  });
});

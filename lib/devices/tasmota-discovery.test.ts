// Tasmota's own discovery (review-10 F2), with the payloads a stock Tasmota 14 plug
// publishes (the shapes of tasmota/hatasmota's tests and of the review's capture).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createTasmotaDiscovery, tasmotaDiscoveryTopic } from "./tasmota-discovery";
import { evaluateTemplate } from "./value-template-eval";
import { BOARD_STATE, PLUG_CONFIG, PLUG_RESULT_OFF, PLUG_SENSORS, PLUG_STATE_ON } from "./fixtures/tasmota";
import type { DiscoveredEntity } from "./ha-discovery";

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

describe("a Tasmota relay's state on RESULT and STATE, and the poll that asks for it (review-15 L3, as hatasmota relay.py)", () => {
  const relaysOf = (config: object) => {
    const result = createTasmotaDiscovery()("tasmota/discovery/A4CF12F0C1D2/config", bytes(config));
    assert.ok(result.ok && result.kind === "config");
    return result.entities;
  };
  /** What each relay reads from `payload` on each of its other state topics (null: nothing). */
  const read = (entities: readonly DiscoveredEntity[], payload: object) =>
    entities.map((e) =>
      (e.moreStates ?? []).map(({ topic, template }) => {
        const r = evaluateTemplate(template, JSON.stringify(payload));
        return [topic, r.ok ? r.value : null];
      }),
    );

  it("a plug's relay reads POWER from a command's RESULT and the periodic STATE, and is polled with an empty cmnd/<t>/STATE", () => {
    const [relay] = relaysOf(PLUG_CONFIG);
    assert.deepEqual(read([relay], PLUG_RESULT_OFF), [[["stat/tasmota_F0C1D2/RESULT", "OFF"], ["tele/tasmota_F0C1D2/STATE", "OFF"]]]);
    assert.deepEqual(read([relay], PLUG_STATE_ON)[0].map(([, v]) => v), ["ON", "ON"]);
    // RESULT answers every command: one about something else says nothing of the relay.
    assert.deepEqual(read([relay], { Dimmer: 40 })[0].map(([, v]) => v), [null, null]);
    // SetOption26: even a one-relay device says POWER1 (hatasmota get_state_power, idx_optional).
    assert.deepEqual(read([relay], { POWER1: "ON" })[0].map(([, v]) => v), ["ON", "ON"]);
    assert.deepEqual(relay.poll, { topic: "cmnd/tasmota_F0C1D2/STATE", payload: "" });
  });

  it("a two-relay board: each relay reads its own POWER<n>, on the device's own full topic", () => {
    const entities = relaysOf({ ...PLUG_CONFIG, rl: [1, 1, 0, 0], ft: "%topic%/%prefix%/", t: "porch" });
    assert.deepEqual(read(entities, BOARD_STATE), [
      [["porch/stat/RESULT", "OFF"], ["porch/tele/STATE", "OFF"]],
      [["porch/stat/RESULT", "ON"], ["porch/tele/STATE", "ON"]],
    ]);
    assert.deepEqual(read(entities, { POWER2: "OFF" }).map((r) => r.map(([, v]) => v)), [[null, null], ["OFF", "OFF"]]);
    assert.deepEqual(entities.map((e) => e.poll?.topic), ["porch/cmnd/STATE", "porch/cmnd/STATE"]);
  });

  it("a device in deep sleep is not polled (hatasmota: no availability, so no poll)", () => {
    const [relay] = relaysOf({ ...PLUG_CONFIG, dslp: 1 });
    assert.equal(relay.poll, undefined);
  });
});

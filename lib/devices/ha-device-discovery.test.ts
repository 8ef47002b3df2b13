// Device-based discovery (HA 2024.11, review-10 F4): one `homeassistant/device/<id>/config`
// with a `cmps` map gives the same entities as the per-component configs it stands for.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { discoveryId, parseDiscovery, type DiscoveredEntity, type DiscoveryResult } from "./ha-discovery";

const bytes = (x: unknown) => new TextEncoder().encode(typeof x === "string" ? x : JSON.stringify(x));

function entitiesOf(result: DiscoveryResult): DiscoveredEntity[] {
  assert.ok(result.ok && result.kind === "config", JSON.stringify(result));
  return result.entities;
}

const dev = { ids: "gw01", name: "Garden gateway", mf: "Demo", sa: "Garden" };
const o = { name: "demo2mqtt", sw: "1.0" };

/** A gateway announced the new way: shared state topic and availability, a sensor that reads its own topic, a relay. */
const deviceConfig = {
  dev,
  o,
  stat_t: "garden/gw01",
  avty_t: "garden/gw01/status",
  qos: 1,
  cmps: {
    t: { p: "sensor", dev_cla: "temperature", unit_of_meas: "°C", val_tpl: "{{ value_json.temperature }}", uniq_id: "gw01_t", name: "Temperature" },
    h: { p: "sensor", dev_cla: "humidity", unit_of_meas: "%", val_tpl: "{{ value_json.humidity }}", uniq_id: "gw01_h" },
    soil: { platform: "sensor", stat_t: "garden/gw01/soil", unit_of_meas: "%", uniq_id: "gw01_soil", name: "Soil" },
    pump: { p: "switch", cmd_t: "garden/gw01/pump/set", val_tpl: "{{ value_json.pump }}", uniq_id: "gw01_pump", name: "Pump" },
  },
};

/** The same gateway, one config per entity, each repeating the device and the shared options. */
const perComponent: Array<[string, object]> = [
  ["homeassistant/sensor/gw01/t/config", { dev, o, stat_t: "garden/gw01", avty_t: "garden/gw01/status", ...deviceConfig.cmps.t, p: undefined }],
  ["homeassistant/sensor/gw01/h/config", { dev, o, stat_t: "garden/gw01", avty_t: "garden/gw01/status", ...deviceConfig.cmps.h, p: undefined }],
  ["homeassistant/sensor/gw01/soil/config", { dev, o, avty_t: "garden/gw01/status", ...deviceConfig.cmps.soil, platform: undefined }],
  ["homeassistant/switch/gw01/pump/config", { dev, o, stat_t: "garden/gw01", avty_t: "garden/gw01/status", ...deviceConfig.cmps.pump, p: undefined }],
];

describe("HA device-based discovery (review-10 F4)", () => {
  it("gives the same entities as the equivalent per-component configs", () => {
    const fromDevice = entitiesOf(parseDiscovery("homeassistant/device/gw01/config", bytes(deviceConfig)));
    const fromComponents = perComponent.flatMap(([topic, payload]) => entitiesOf(parseDiscovery(topic, bytes(payload))));
    assert.deepEqual(fromDevice, fromComponents);
    assert.deepEqual(
      fromDevice.map((e) => [e.id, e.component, e.name, e.stateTopic, e.commandTopic, e.unit, e.availability[0]?.topic]),
      [
        ["sensor/gw01/t", "sensor", "Garden gateway Temperature", "garden/gw01", null, "°C", "garden/gw01/status"],
        ["sensor/gw01/h", "sensor", "Garden gateway", "garden/gw01", null, "%", "garden/gw01/status"],
        // Its own state topic overrides the shared one.
        ["sensor/gw01/soil", "sensor", "Garden gateway Soil", "garden/gw01/soil", null, "%", "garden/gw01/status"],
        ["switch/gw01/pump", "switch", "Garden gateway Pump", "garden/gw01", "garden/gw01/pump/set", null, "garden/gw01/status"],
      ],
    );
    assert.deepEqual(fromDevice[0].device, { name: "Garden gateway", suggestedArea: "Garden", identifiers: ["gw01"], manufacturer: "Demo", model: null });
  });

  it("a component's own `~` is its base topic, for the shared options it inherits too", () => {
    const config = { dev, o, stat_t: "~/state", cmps: { t: { p: "sensor", "~": "garden/gw02", uniq_id: "gw02_t", val_tpl: "{{ value_json.t }}" } } };
    assert.equal(entitiesOf(parseDiscovery("homeassistant/device/gw02/config", bytes(config)))[0].stateTopic, "garden/gw02/state");
  });

  it("a component that is only its platform is removed; the others stay, and nothing is reported", () => {
    const result = parseDiscovery("homeassistant/device/gw01/config", bytes({ ...deviceConfig, cmps: { ...deviceConfig.cmps, h: { p: "sensor" } } }));
    assert.deepEqual(entitiesOf(result).map((e) => e.id), ["sensor/gw01/t", "sensor/gw01/soil", "switch/gw01/pump"]);
    assert.ok(result.ok && result.kind === "config");
    assert.deepEqual(result.skipped, []);
  });

  it("an empty payload removes the whole device", () => {
    assert.deepEqual(parseDiscovery("homeassistant/device/gw01/config", new Uint8Array()), { ok: true, kind: "remove", id: "device/gw01" });
  });

  it("shows the components it can and names the others with their codes", () => {
    const config = {
      dev,
      o,
      stat_t: "garden/gw01",
      cmps: {
        t: deviceConfig.cmps.t,
        restart: { p: "button", cmd_t: "garden/gw01/restart", uniq_id: "gw01_restart" },
        noplatform: { uniq_id: "gw01_x", val_tpl: "{{ value_json.x }}" },
        nouniq: { p: "sensor", val_tpl: "{{ value_json.y }}" },
        badtpl: { p: "sensor", uniq_id: "gw01_z", val_tpl: "{{ now() }}" },
        "bad key": { p: "sensor", uniq_id: "gw01_k" },
      },
    };
    const result = parseDiscovery("homeassistant/device/gw01/config", bytes(config));
    assert.deepEqual(entitiesOf(result).map((e) => e.id), ["sensor/gw01/t"]);
    assert.ok(result.ok && result.kind === "config");
    assert.deepEqual(
      result.skipped.map((s) => [s.id, s.code]),
      [
        ["?/gw01/noplatform", "invalid-config"],
        ["sensor/gw01/nouniq", "invalid-config"],
        ["sensor/gw01/bad key", "invalid-config"],
        ["button/gw01/restart", "unsupported-component"],
        ["sensor/gw01/badtpl", "unsupported-template"],
      ],
    );
    assert.match(result.skipped.find((s) => s.id === "sensor/gw01/nouniq")!.message, /unique_id/);
  });

  it("a node id in the topic is part of every component's id", () => {
    assert.equal(discoveryId("homeassistant/device/bridge/gw01/config")?.id, "device/bridge/gw01");
    const ids = entitiesOf(parseDiscovery("homeassistant/device/bridge/gw01/config", bytes(deviceConfig))).map((e) => e.id);
    assert.deepEqual(ids, ["sensor/bridge/gw01/t", "sensor/bridge/gw01/h", "sensor/bridge/gw01/soil", "switch/bridge/gw01/pump"]);
  });

  const refusals: Array<{ name: string; payload: unknown; code: string; message?: RegExp }> = [
    { name: "no components", payload: { dev, o }, code: "invalid-config", message: /components \(cmps\)/ },
    { name: "components that are a list", payload: { dev, o, cmps: [] }, code: "invalid-config", message: /components \(cmps\)/ },
    { name: "not JSON", payload: "{nope", code: "bad-json" },
    {
      name: "more components than any device has",
      payload: { dev, o, cmps: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`c${i}`, { p: "sensor" }])) },
      code: "invalid-config",
      message: /300 is more than 256/,
    },
    { name: "a huge payload", payload: { dev, o, cmps: {}, pad: "x".repeat(70_000) }, code: "too-large" },
  ];
  for (const r of refusals) {
    it(`refuses ${r.name} with code ${r.code}, whole`, () => {
      const result = parseDiscovery("homeassistant/device/gw01/config", bytes(r.payload));
      assert.ok(!result.ok, JSON.stringify(result));
      assert.deepEqual([result.code, result.id], [r.code, "device/gw01"]);
      if (r.message) assert.match(result.message, r.message);
    });
  }

  it("a device config larger than a component's limit, with many components, is read", () => {
    const cmps = Object.fromEntries(
      Array.from({ length: 60 }, (_, i) => [`s${i}`, { p: "sensor", uniq_id: `gw01_s${i}`, val_tpl: `{{ value_json.s${i} }}`, unit_of_meas: "W", name: `Channel ${i} power` }]),
    );
    const payload = bytes({ dev, o, stat_t: "garden/gw01", cmps, note: "x".repeat(12_000) });
    assert.ok(payload.byteLength > 16 * 1024);
    assert.equal(entitiesOf(parseDiscovery("homeassistant/device/gw01/config", payload)).length, 60);
  });
});

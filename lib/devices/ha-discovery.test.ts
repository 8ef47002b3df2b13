import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { discoveryId, expandDiscoveryConfig, parseDiscovery, type DiscoveredEntity } from "./ha-discovery";
import { parseTemplate, type ValueTemplate } from "./value-template";

type Fixture = { topic: string; payload: unknown };
const fixtures = JSON.parse(readFileSync(path.join(import.meta.dirname, "fixtures/discovery.json"), "utf8")) as Record<
  string,
  Fixture
>;
/** The parsed form of an equivalent template: `value_json["state"]` and `value_json.state` parse alike. */
const tpl = (source: string): ValueTemplate => {
  const parsed = parseTemplate(source);
  assert.ok(parsed.ok);
  return parsed.template;
};
const bytes = (x: unknown) => new TextEncoder().encode(typeof x === "string" ? x : JSON.stringify(x));

function entityOf(name: string): DiscoveredEntity {
  const f = fixtures[name];
  const result = parseDiscovery(f.topic, bytes(f.payload));
  assert.ok(result.ok && result.kind === "config", `${name}: ${JSON.stringify(result)}`);
  return result.entities[0];
}

describe("HA discovery: real-world configs", () => {
  const cases: Array<{ fixture: string; expect: Partial<DiscoveredEntity> }> = [
    {
      fixture: "z2m-plug",
      expect: {
        id: "switch/0x0017880104e45517/switch",
        component: "switch",
        name: "Kitchen plug",
        stateTopic: "zigbee2mqtt/Kitchen plug",
        stateTemplate: tpl("{{ value_json.state }}"),
        commandTopic: "zigbee2mqtt/Kitchen plug/set",
        commandOn: "ON",
        commandOff: "OFF",
        stateOn: "ON",
        stateOff: "OFF",
        availabilityMode: "all",
        availability: [
          { topic: "zigbee2mqtt/bridge/state", online: "online", offline: "offline", template: tpl("{{ value_json.state }}") },
          { topic: "zigbee2mqtt/Kitchen plug/availability", online: "online", offline: "offline", template: tpl("{{ value_json.state }}") },
        ],
      },
    },
    {
      // The JSON light schema: state and commands are {"state":"ON"}.
      fixture: "z2m-light",
      expect: {
        component: "light",
        name: "Hall light",
        stateTemplate: tpl("{{ value_json.state }}"),
        commandOn: '{"state":"ON"}',
        commandOff: '{"state":"OFF"}',
        stateOn: "ON",
        stateOff: "OFF",
      },
    },
    {
      fixture: "z2m-temperature",
      expect: {
        component: "sensor",
        name: "Greenhouse sensor Temperature",
        stateTopic: "zigbee2mqtt/Greenhouse sensor",
        stateTemplate: tpl("{{ value_json.temperature }}"),
        commandTopic: null,
        unit: "°C",
        deviceClass: "temperature",
      },
    },
    {
      // Zigbee2MQTT reports a closed contact as `true`, so "on" (open) is false.
      fixture: "z2m-contact",
      expect: { component: "binary_sensor", name: "Back door Door", stateTemplate: tpl("{{ value_json.contact }}"), stateOn: "false", stateOff: "true" },
    },
    {
      // Abbreviated keys and a `~` base topic.
      fixture: "tasmota-relay",
      expect: {
        id: "switch/A1B2C3_RL_1",
        name: "Sonoff Basic",
        uniqueId: "A1B2C3_RL_1",
        stateTopic: "sonoff_A1B2C3/tele/STATE",
        stateTemplate: tpl("{{ value_json.POWER }}"),
        commandTopic: "sonoff_A1B2C3/cmnd/POWER",
        availability: [{ topic: "sonoff_A1B2C3/tele/LWT", online: "Online", offline: "Offline", template: null }],
        availabilityMode: "latest",
      },
    },
    {
      fixture: "tasmota-power",
      expect: { component: "sensor", stateTemplate: tpl("{{ value_json.ENERGY.Power }}"), unit: "W", deviceClass: "power" },
    },
    {
      fixture: "esphome-relay",
      expect: {
        name: "livingroom-node Lamp relay",
        stateTopic: "livingroom-node/switch/lamp_relay/state",
        stateTemplate: null,
        commandTopic: "livingroom-node/switch/lamp_relay/command",
        availability: [{ topic: "livingroom-node/status", online: "online", offline: "offline", template: null }],
        device: {
          name: "livingroom-node",
          suggestedArea: "Living Room",
          identifiers: ["a4cf12b3c4d5"],
          manufacturer: "espressif",
          model: "esp32dev",
        },
      },
    },
    {
      fixture: "esphome-temperature",
      expect: { component: "sensor", unit: "°C", stateTemplate: null, stateTopic: "livingroom-node/sensor/temperature/state" },
    },
  ];
  for (const c of cases) {
    it(c.fixture, () => {
      const entity = entityOf(c.fixture);
      for (const [key, value] of Object.entries(c.expect)) {
        assert.deepEqual(entity[key as keyof DiscoveredEntity], value, key);
      }
    });
  }
});

describe("HA discovery: light schemas", () => {
  const light = (schema: string) =>
    parseDiscovery("homeassistant/light/kitchen/ceiling/config", bytes({ name: "Ceiling", schema, cmd_t: "kitchen/ceiling/set", stat_t: "kitchen/ceiling/state" }));
  it("`basic`, HA's current name for the default schema, is an ON/OFF light", () => {
    const result = light("basic");
    assert.ok(result.ok && result.kind === "config", JSON.stringify(result));
    assert.deepEqual([result.entities[0].commandOn, result.entities[0].stateTemplate], ["ON", null]);
  });
  it('"JSON" in capitals is the JSON schema, as HA lower-cases it', () => {
    const result = light("JSON");
    assert.ok(result.ok && result.kind === "config", JSON.stringify(result));
    assert.equal(result.entities[0].commandOn, '{"state":"ON"}');
  });
});

describe("HA discovery: removal and refusals", () => {
  it("an empty payload removes the entity", () => {
    assert.deepEqual(parseDiscovery("homeassistant/switch/0x0017880104e45517/switch/config", new Uint8Array()), {
      ok: true,
      kind: "remove",
      id: "switch/0x0017880104e45517/switch",
    });
  });

  const sensorTopic = "homeassistant/sensor/node/temp/config";
  const refusals: Array<{ name: string; topic?: string; payload: unknown; code: string; message?: RegExp }> = [
    { name: "not JSON", payload: "{nope", code: "bad-json" },
    { name: "a JSON array", payload: [1, 2], code: "bad-json" },
    { name: "a component Hearth does not show", topic: "homeassistant/climate/node/hvac/config", payload: {}, code: "unsupported-component" },
    { name: "a sensor without a state topic", payload: { name: "T" }, code: "invalid-config", message: /state_topic/ },
    { name: "a wildcard state topic", payload: { stat_t: "sensors/+/temp" }, code: "invalid-config", message: /state_topic.*wildcard/ },
    { name: "a name that is not text", payload: { stat_t: "a/b", name: 42 }, code: "invalid-config", message: /^name/ },
    {
      name: "a template Hearth does not read, naming the part",
      payload: { stat_t: "a/b", val_tpl: "{{ now().strftime('%H:%M') }}" },
      code: "unsupported-template",
      message: /does not understand now\(\)/,
    },
    {
      name: "a light with the template schema",
      topic: "homeassistant/light/node/l/config",
      payload: { cmd_t: "a/set", schema: "template" },
      code: "unsupported-schema",
    },
    { name: "a huge payload", payload: { stat_t: "a/b", name: "x".repeat(20_000) }, code: "too-large" },
  ];
  for (const r of refusals) {
    it(`refuses ${r.name} with code ${r.code}`, () => {
      const result = parseDiscovery(r.topic ?? sensorTopic, bytes(r.payload));
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.code, r.code);
      assert.ok(result.id !== null);
      if (r.message) assert.match(result.message, r.message);
    });
  }
});

describe("HA discovery: topics and expansion", () => {
  const topics: Array<[string, string | null]> = [
    ["homeassistant/switch/lamp/config", "switch/lamp"],
    ["homeassistant/sensor/node-1/temp/config", "sensor/node-1/temp"],
    ["homeassistant/sensor/temp/state", null],
    ["homeassistant/status", null],
    ["homeassistant/a/b/c/d/config", null],
    ["home/sensor/x/config", null],
  ];
  for (const [topic, id] of topics) {
    it(`${topic} → ${id}`, () => assert.equal(discoveryId(topic)?.id ?? null, id));
  }

  it("`~` at the end of a topic is the base too, and other keys are left alone", () => {
    assert.deepEqual(expandDiscoveryConfig({ "~": "base/", stat_t: "prefix/~", name: "~name" }), {
      "~": "base/",
      state_topic: "prefix/base/",
      name: "~name",
    });
  });
});

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { roomHref } from "../links";
import { isRoomLevel } from "../live-scope";
import type { DeviceConfig } from "./device-config";
import { parseDiscovery, type DiscoveredEntity } from "./ha-discovery";
import {
  binaryStateWord,
  buildEntities,
  combineAvailability,
  conventionKeyOf,
  extraTopics,
  interpretAvailability,
  interpretState,
  roomKeyOf,
  routesOf,
  type Entity,
  type RegistrySources,
} from "./registry";

const fixtures = JSON.parse(readFileSync(path.join(import.meta.dirname, "fixtures/discovery.json"), "utf8")) as Record<
  string,
  { topic: string; payload: unknown }
>;
function discovered(name: string, change: Record<string, unknown> = {}): DiscoveredEntity {
  const f = fixtures[name];
  const result = parseDiscovery(f.topic, new TextEncoder().encode(JSON.stringify({ ...(f.payload as object), ...change })));
  assert.ok(result.ok && result.kind === "config");
  return result.entities[0];
}
const build = (s: Partial<RegistrySources>) => buildEntities({ config: [], discovered: [], convention: [], ...s });
const pick = (e: Entity | undefined, keys: Array<keyof Entity>) => Object.fromEntries(keys.map((k) => [k, e?.[k]]));

describe("registry: the three sources merged", () => {
  it("a convention switch: state, set and availability topics, toggled with ON/OFF", () => {
    const e = build({ convention: [{ room: "living_room", device: "lamp", hasState: true }] }).get("living_room/lamp");
    assert.deepEqual(pick(e, ["kind", "source", "name", "room", "stateTopic", "command", "expectsAvailability"]), {
      kind: "switch",
      source: "convention",
      name: "Lamp",
      room: "living_room",
      stateTopic: "home/living_room/lamp/state",
      command: { topic: "home/living_room/lamp/set", on: "ON", off: "OFF", timeoutMs: null, optimistic: false },
      expectsAvailability: false,
    });
  });

  it("a convention device heard only on availability is status-only, with no toggle", () => {
    const e = build({ convention: [{ room: "bedroom", device: "climate", hasState: false }] }).get("bedroom/climate");
    assert.equal(e?.kind, "status");
    assert.equal(e?.command, null);
  });

  const rooms: Array<[fixture: string, key: string, room: string]> = [
    ["esphome-relay", "ha:switch/livingroom-node/lamp_relay", "living_room"], // suggested_area "Living Room"
    ["z2m-light", "ha:light/0x000b57fffec6a5b2/light", "hallway"], // suggested_area "Hallway"
    ["z2m-temperature", "ha:sensor/0x00158d0001e2d3a4/temperature", "greenhouse_sensor"], // the device's own card
    ["tasmota-power", "ha:sensor/A1B2C3_ENERGY_Power", "devices"], // no device name: the Devices card
  ];
  for (const [fixture, key, room] of rooms) {
    it(`${fixture} goes to the ${room} room`, () => {
      assert.equal(build({ discovered: [discovered(fixture)] }).get(key)?.room, room);
    });
  }

  it("a plain-numeric discovered sensor (ESPHome) is keyed by its state topic, a JSON field's by its discovery id", () => {
    const entities = build({ discovered: [discovered("esphome-temperature"), discovered("z2m-temperature")] });
    assert.deepEqual([...entities.keys()].sort(), ["ha:sensor/0x00158d0001e2d3a4/temperature", "livingroom-node/sensor/temperature/state"]);
    assert.deepEqual(pick(entities.get("livingroom-node/sensor/temperature/state"), ["name", "unit", "measurement"]), {
      name: "livingroom-node Temperature",
      unit: "°C",
      measurement: "temperature",
    });
  });

  it("a discovered sensor keeps its friendly name, unit and value field", () => {
    const e = build({ discovered: [discovered("z2m-temperature")] }).get("ha:sensor/0x00158d0001e2d3a4/temperature");
    assert.deepEqual(pick(e, ["kind", "name", "unit", "measurement", "expectsAvailability"]), {
      kind: "sensor",
      name: "Greenhouse sensor Temperature",
      unit: "°C",
      measurement: "temperature",
      expectsAvailability: true,
    });
  });

  it("a discovered light is a switch; a switch without a state topic is optimistic", () => {
    const light = build({ discovered: [discovered("z2m-light")] }).get("ha:light/0x000b57fffec6a5b2/light");
    assert.equal(light?.kind, "switch");
    assert.equal(light?.command?.optimistic, false);
    const blind = build({ discovered: [discovered("esphome-relay", { stat_t: undefined })] });
    assert.equal(blind.get("ha:switch/livingroom-node/lamp_relay")?.command?.optimistic, true);
  });

  it("a discovered entity on convention topics merges with the convention device", () => {
    const d = discovered("esphome-relay", {
      name: "Reading lamp",
      dev: undefined,
      stat_t: "home/living_room/lamp/state",
      cmd_t: "home/living_room/lamp/set",
      avty_t: undefined,
    });
    const entities = build({ convention: [{ room: "living_room", device: "lamp", hasState: true }], discovered: [d] });
    assert.deepEqual([...entities.keys()], ["living_room/lamp"]);
    const e = entities.get("living_room/lamp");
    assert.equal(e?.name, "Reading lamp");
    assert.equal(e?.room, "living_room");
    assert.equal(e?.availability[0]?.topic, "home/living_room/lamp/availability"); // kept from the convention
  });

  const overlays: Array<[name: string, config: DeviceConfig, key: string, expect: Partial<Entity>]> = [
    ["a convention device by key", { id: "kitchen/coffee_maker", name: "Espresso", icon: "☕" }, "kitchen/coffee_maker", { name: "Espresso", icon: "☕" }],
    ["a discovered entity by unique_id", { id: "0x00158d0001e2d3a4_temperature_zigbee2mqtt", room: "garden" }, "ha:sensor/0x00158d0001e2d3a4/temperature", { room: "garden" }],
    ["a discovered entity by discovery id", { id: "switch/A1B2C3_RL_1", name: "Fan", commandTimeoutMs: 9000 }, "ha:switch/A1B2C3_RL_1", { name: "Fan" }],
  ];
  for (const [name, config, key, expect] of overlays) {
    it(`the config names, places and decorates ${name}`, () => {
      const e = build({
        config: [config],
        convention: [{ room: "kitchen", device: "coffee_maker", hasState: true }],
        discovered: [discovered("z2m-temperature"), discovered("tasmota-relay")],
      }).get(key);
      for (const [k, v] of Object.entries(expect)) assert.deepEqual(e?.[k as keyof Entity], v, k);
      if (config.commandTimeoutMs) assert.equal(e?.command?.timeoutMs, config.commandTimeoutMs);
    });
  }

  it("the config defines a device by its topics; without a state topic it is optimistic", () => {
    const entities = build({
      config: [
        { id: "garage_door", name: "Garage door", room: "garage", commandTopic: "garage/relay/1", payloadOn: "1", payloadOff: "0" },
        { id: "pool_temp", stateTopic: "pool/sensor/temp", unit: "°C", availabilityTopic: "pool/status" },
        { id: "living_room/lamp", name: "Only a name" },
      ],
    });
    // A sensor whose payload is the number is keyed by its topic: one history row per reading, where the explorer looks too.
    assert.deepEqual([...entities.keys()].sort(), ["garage_door", "pool/sensor/temp"]);
    const door = entities.get("garage_door");
    assert.deepEqual(door?.command, { topic: "garage/relay/1", on: "1", off: "0", timeoutMs: null, optimistic: true });
    assert.equal(door?.room, "garage");
    const pool = entities.get("pool/sensor/temp");
    assert.deepEqual(pick(pool, ["kind", "name", "room", "unit", "expectsAvailability"]), {
      kind: "sensor",
      name: "Pool temp",
      room: "devices",
      unit: "°C",
      expectsAvailability: true,
    });
  });
});

describe("registry: entities their publisher hides (review-10 F13)", () => {
  // Zigbee2MQTT lib/extension/homeassistant.ts NUMERIC_DISCOVERY_LOOKUP: power_outage_count
  // {enabled_by_default: false}; ESPHome mqtt_component.cpp: `en: false` for disabled_by_default.
  const outages = () =>
    discovered("z2m-temperature", {
      name: "Power outage count",
      object_id: "greenhouse_sensor_power_outage_count",
      unique_id: "0x00158d0001e2d3a4_power_outage_count_zigbee2mqtt",
      value_template: '{{ value_json["power_outage_count"] }}',
      device_class: undefined,
      unit_of_measurement: undefined,
      enabled_by_default: false,
    });
  it("a Zigbee2MQTT entity with enabled_by_default false is not listed, nor routed for recording", () => {
    const entities = build({ discovered: [outages(), discovered("z2m-temperature")] });
    assert.deepEqual([...entities.keys()], ["ha:sensor/0x00158d0001e2d3a4/temperature"]);
  });
  it("an ESPHome entity with `en: false` is not listed", () => {
    assert.equal(build({ discovered: [discovered("esphome-temperature", { en: false })] }).size, 0);
  });
  it("the config enables one by its unique_id, or hides any", () => {
    const config = [{ id: "0x00158d0001e2d3a4_power_outage_count_zigbee2mqtt", enabled: true }];
    assert.equal(build({ discovered: [outages()], config }).size, 1);
    const hidden = [{ id: "0x00158d0001e2d3a4_temperature_zigbee2mqtt", enabled: false }];
    assert.equal(build({ discovered: [discovered("z2m-temperature")], config: hidden }).size, 0);
  });
});

describe("registry: routes and subscriptions", () => {
  const entities = build({
    convention: [{ room: "living_room", device: "lamp", hasState: true }],
    discovered: [discovered("z2m-temperature"), discovered("z2m-plug")],
  });
  const routes = routesOf(entities.values());

  it("sends a shared state topic to every entity on it", () => {
    assert.deepEqual(routes.state.get("zigbee2mqtt/Greenhouse sensor"), ["ha:sensor/0x00158d0001e2d3a4/temperature"]);
    assert.deepEqual(routes.availability.get("zigbee2mqtt/bridge/state"), [
      { key: "ha:sensor/0x00158d0001e2d3a4/temperature", index: 0 },
      { key: "ha:switch/0x0017880104e45517/switch", index: 0 },
    ]);
  });

  it("lists the topics outside home/# to subscribe to", () => {
    assert.deepEqual(extraTopics(routes, ["home/#", "homeassistant/#"]), [
      "zigbee2mqtt/Greenhouse sensor",
      "zigbee2mqtt/Kitchen plug",
      "zigbee2mqtt/Kitchen plug/availability",
      "zigbee2mqtt/bridge/state",
    ]);
  });
});

describe("registry: payloads", () => {
  const contact = build({ discovered: [discovered("z2m-contact")] }).get("ha:binary_sensor/0x00158d000a1b2c3d/contact")!;
  const lamp = build({ convention: [{ room: "a", device: "lamp", hasState: true }] }).get("a/lamp")!;
  const states: Array<[entity: Entity, payload: string, shown: string]> = [
    [lamp, "ON", "ON"],
    [lamp, "off", "OFF"],
    [lamp, "BLINKING", "BLINKING"],
    [contact, "false", "ON"], // open
    [contact, "true", "OFF"],
  ];
  for (const [entity, payload, shown] of states) {
    it(`${entity.key}: ${payload} reads as ${shown}`, () => assert.equal(interpretState(entity, payload), shown));
  }

  it("availability payloads are the declared ones, ignoring case", () => {
    const source = { topic: "t", online: "Online", offline: "Offline", template: null };
    assert.deepEqual(
      ["Online", "online", "Offline", "gone"].map((v) => interpretAvailability(source, v)),
      ["online", "online", "offline", null],
    );
  });

  const modes: Array<[mode: "latest" | "all" | "any", values: Array<"online" | "offline" | null>, latest: "online" | "offline" | null, result: string | null]> = [
    ["latest", ["online", "offline"], "online", "online"],
    ["all", ["online", "online"], "online", "online"],
    ["all", ["online", null], "online", null],
    ["all", ["online", "offline"], "online", "offline"],
    ["any", ["offline", "online"], "offline", "online"],
    ["any", ["offline", null], "offline", "offline"],
    ["any", [null, null], null, null],
  ];
  for (const [mode, values, latest, result] of modes) {
    it(`availability_mode ${mode} of ${JSON.stringify(values)} is ${result}`, () =>
      assert.equal(combineAvailability(mode, values, latest), result));
  }

  // null: the dashboard shows the state as the device sent it.
  const labels: Array<[deviceClass: string | null, state: string, word: string | null]> = [
    ["door", "ON", "open"],
    ["door", "OFF", "closed"],
    ["motion", "ON", "detected"],
    ["moisture", "OFF", "dry"],
    ["vibration", "ON", null],
    [null, "OFF", null],
    ["door", "jammed", null],
    ["constructor", "ON", null],
  ];
  for (const [deviceClass, state, word] of labels) {
    it(`a ${deviceClass ?? "plain"} binary sensor's ${state} reads ${JSON.stringify(word)}`, () =>
      assert.equal(binaryStateWord(deviceClass, state), word));
  }

  it("keys and room names", () => {
    assert.equal(conventionKeyOf("home/kitchen/kettle/set"), "kitchen/kettle");
    assert.equal(conventionKeyOf("home/kitchen/temperature"), null);
    assert.equal(roomKeyOf("Living Room"), "living_room");
    assert.equal(roomKeyOf("Küche / Süd"), "kuche_sud");
    assert.equal(roomKeyOf("!!!"), null);
  });

  it("areas and device names in any script are rooms of their own (review-10 F9)", () => {
    const cases: Array<[name: string, key: string]> = [
      ["거실", "거실"],
      ["거실 온도계", "거실_온도계"],
      ["Термометр кухня", "термометр_кухня"],
      ["寝室センサー", "寝室センサー"],
      ["ガレージ", "ガレージ"], // the dakuten stays: ガ is not カ
      ["Ｋｉｔｃｈｅｎ　２", "kitchen_2"], // full-width letters, NFKC
      ["Κουζίνα", "κουζίνα"],
      ["रसोई", "रसोई"], // a vowel sign is a mark, not a separator (review-11)
      ["रसाई", "रसाई"],
      ["ห้องนอน", "ห้องนอน"],
    ];
    for (const [name, key] of cases) {
      assert.equal(roomKeyOf(name), key, name);
      assert.equal(isRoomLevel(key), true, key);
      assert.equal(decodeURIComponent(roomHref(key).slice("/rooms/".length)), key);
    }
    const sensor = (i: number, device: string, area?: string) => {
      const result = parseDiscovery(
        `homeassistant/sensor/0x${i}/temperature/config`,
        new TextEncoder().encode(
          JSON.stringify({
            name: "Temperature",
            state_topic: `zigbee2mqtt/${device}`,
            value_template: "{{ value_json.temperature }}",
            device: { identifiers: [`z_${i}`], name: device, ...(area ? { suggested_area: area } : {}) },
          }),
        ),
      );
      assert.ok(result.ok && result.kind === "config");
      return result.entities[0];
    };
    const entities = build({ discovered: [sensor(1, "거실 온도계"), sensor(2, "안방 온도계"), sensor(3, "Термометр", "Кухня"), sensor(4, "寝室センサー", "寝室")] });
    assert.deepEqual(
      [...entities.values()].map((e) => e.room),
      ["거실_온도계", "안방_온도계", "кухня", "寝室"],
    );
  });
});

// Tasmota's own discovery (review-10 F2): current Tasmota releases do not send Home
// Assistant discovery; they announce on `tasmota/discovery/<MAC>/config` (the device: its
// topics, relays, names) and `tasmota/discovery/<MAC>/sensors` (a sample of its
// `tele/<t>/SENSOR` JSON), both retained, for Home Assistant's Tasmota integration. This
// module reads them as that integration does (tasmota/hatasmota: discovery.py
// TASMOTA_DISCOVERY_SCHEMA, utils.py topic building, relay.py, sensor.py) and turns them
// into the same DiscoveredEntity a Home Assistant config gives, so the registry, the
// ACL (commands), the recorder and the page treat a Tasmota device like any other:
//  - each relay (`rl` 1, or 2: a light Hearth switches on and off) is a switch, or a
//    light with SetOption30 (`so["30"]`); state on `stat/<t>/POWER<n>` (`POWER` on a
//    one-relay device, as Tasmota names it), command `cmnd/<t>/POWER<n>`, words from `state`;
//    and, as hatasmota relay.py reads it (review-15 L3), the `POWER<n>` key of the JSON on
//    `stat/<t>/RESULT` (a command's answer) and `tele/<t>/STATE` (every TelePeriod): relay 1
//    is `POWER` or `POWER1` there (hatasmota utils.get_state_power, idx_optional); and the
//    hub asks for it with an empty `cmnd/<t>/STATE` when the device says it is online
//    (hatasmota entity.py poll_status; the answer comes on RESULT), so a relay's state is
//    known after a hub restart without waiting for it to change;
//  - each number in the sensors sample is a sensor read from `tele/<t>/SENSOR` by path;
//  - availability is `tele/<t>/LWT` with the device's `onln`/`ofln`.
// The two messages are separate, so a reader keeps each device's last of both
// (createTasmotaDiscovery) and answers every change with all of the device's entities.
import { z } from "zod";
import { checkTopicName } from "../topics";
import type { DiscoveredDevice, DiscoveredEntity, DiscoveryResult, StatePoll } from "./ha-discovery";
import { parseTemplate, type ValueTemplate } from "./value-template";

export const TASMOTA_DISCOVERY_PREFIX = "tasmota/discovery";

/** hatasmota utils.py TOPIC_MATCHER: `<MAC>/config` or `<MAC>/sensors` under the prefix. */
const TOPIC = /^tasmota\/discovery\/([A-Z0-9_-]{1,32})\/(config|sensors)$/;

/** A config is ~1 kB, a sensors sample a few hundred bytes; anything past this is not one. */
const MAX_BYTES = 16 * 1024;

/** hatasmota const.py: relay kinds in `rl`. */
const RL_RELAY = 1;
const RL_LIGHT = 2;
/** SetOption30: relays are announced as lights (hatasmota OPTION_HASS_LIGHT). */
const OPTION_HASS_LIGHT = "30";
/** hatasmota sensor.py IGNORED_SENSORS. */
const IGNORED_SENSORS = new Set(["Time", "PN532", "RDM6300"]);

/** hatasmota sensor.py SENSOR_UNIT_MAP, the quantities a home shows most. */
const UNITS: Record<string, string> = {
  ApparentPower: "VA",
  Battery: "%",
  CO2: "ppm",
  Current: "A",
  Distance: "cm",
  eCO2: "ppm",
  Frequency: "Hz",
  Humidity: "%",
  Illuminance: "lx",
  Moisture: "%",
  PM1: "µg/m³",
  "PM2.5": "µg/m³",
  PM10: "µg/m³",
  Power: "W",
  ReactivePower: "VAr",
  Today: "kWh",
  Total: "kWh",
  TVOC: "ppb",
  Voltage: "V",
  Weight: "kg",
  Yesterday: "kWh",
};
/** Quantities whose unit the sample names itself (hatasmota SENSOR_DYNAMIC_UNIT_MAP). */
const DYNAMIC_UNITS: Record<string, string> = {
  Temperature: "TempUnit",
  DewPoint: "TempUnit",
  Pressure: "PressureUnit",
  SeaPressure: "PressureUnit",
  Speed: "SpeedUnit",
};

const text = (max: number) => z.string().max(max);
const configSchema = z.object({
  dn: text(128),
  fn: z.array(text(128).nullable()).max(32),
  ft: text(128),
  hn: text(128),
  mac: text(32),
  md: text(128),
  ofln: text(64),
  onln: text(64),
  rl: z.array(z.number().int()).max(32),
  so: z.record(z.string(), z.unknown()).optional(),
  state: z.array(text(64)).min(2),
  t: text(128),
  tp: z.array(text(64)).min(3),
  /** DeepSleep: such a device is not polled (hatasmota: no availability, so no poll_status). */
  dslp: z.number().int().optional(),
  ver: z.literal(1),
});
type TasmotaConfig = z.infer<typeof configSchema>;
const sensorsSchema = z.object({ sn: z.record(z.string(), z.unknown()), ver: z.literal(1) });
type SensorSample = Record<string, unknown>;

/** `tasmota/discovery/A4CF12F0C1D2/config` → its MAC and which message; null for any other topic. */
export function tasmotaDiscoveryTopic(topic: string): { mac: string; kind: "config" | "sensors" } | null {
  const match = TOPIC.exec(topic);
  return match ? { mac: match[1], kind: match[2] as "config" | "sensors" } : null;
}

/**
 * Reads Tasmota discovery messages, keeping each device's last config and sensors sample:
 * every message answers with all the entities of its device (id `tasmota/<MAC>`), or
 * removes them (an empty config). A topic that is not Tasmota discovery is "not-discovery".
 */
export function createTasmotaDiscovery(): (topic: string, bytes: Uint8Array) => DiscoveryResult {
  const configs = new Map<string, TasmotaConfig>();
  const samples = new Map<string, SensorSample>();
  return (topic, bytes) => {
    const where = tasmotaDiscoveryTopic(topic);
    if (!where) return { ok: false, id: null, code: "not-discovery", message: "not a Tasmota discovery topic" };
    const { mac, kind } = where;
    const id = `tasmota/${mac}`;
    const fail = (code: "too-large" | "bad-json" | "invalid-config", message: string): DiscoveryResult => ({ ok: false, id, code, message });
    if (bytes.byteLength > MAX_BYTES) return fail("too-large", `${kind} of ${bytes.byteLength} bytes is larger than ${MAX_BYTES}`);
    if (bytes.byteLength === 0) {
      if (kind === "config") {
        configs.delete(mac);
        return { ok: true, kind: "remove", id };
      }
      samples.delete(mac);
    } else {
      let raw: unknown;
      try {
        raw = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
      } catch {
        return fail("bad-json", `${kind} is not JSON`);
      }
      const parsed = kind === "config" ? configSchema.safeParse(raw) : sensorsSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return fail("invalid-config", `${issue.path.join(".") || kind}: ${issue.message}`);
      }
      if (kind === "config") {
        const config = parsed.data as TasmotaConfig;
        // hatasmota discovery.py: a config whose MAC is not its topic's is refused.
        if (config.mac !== mac) return fail("invalid-config", `mac: ${JSON.stringify(config.mac)} is not the topic's ${mac}`);
        configs.set(mac, config);
      } else samples.set(mac, (parsed.data as { sn: SensorSample }).sn);
    }
    const config = configs.get(mac);
    // A sample without its device's config yet: nothing to show until the config comes.
    if (!config) return { ok: true, kind: "config", id, entities: [], skipped: [] };
    return { ok: true, kind: "config", id, entities: tasmotaEntities(config, samples.get(mac) ?? null), skipped: [] };
  };
}

/** hatasmota utils.py _get_topic: the full topic `ft` with its placeholders filled, for prefix `tp[index]`. */
function topicOf(c: TasmotaConfig, prefix: 0 | 1 | 2): string {
  return c.ft
    .replace("%hostname%", c.hn)
    .replace("%id%", c.mac.slice(-6))
    .replace("%prefix%", c.tp[prefix])
    .replace("%topic%", c.t);
}

/** A device's entities: its relays, then the numbers of its sensor sample. */
export function tasmotaEntities(c: TasmotaConfig, sample: SensorSample | null): DiscoveredEntity[] {
  const [cmnd, stat, tele] = [topicOf(c, 0), topicOf(c, 1), topicOf(c, 2)];
  const device: DiscoveredDevice = { name: c.dn, suggestedArea: null, identifiers: [c.mac], manufacturer: "Tasmota", model: c.md };
  const availability = [{ topic: `${tele}LWT`, online: c.onln, offline: c.ofln, template: null }];
  const base = { stateTemplate: null, unit: null, deviceClass: null, availability, availabilityMode: "latest" as const, device, enabledByDefault: true };
  const [off, on] = c.state;
  const entities: DiscoveredEntity[] = [];
  const relays = c.rl.filter((kind) => kind !== 0).length;
  // hatasmota relay.py: poll_topic `cmnd/<t>/STATE`, poll_payload "".
  const poll: StatePoll | undefined = c.dslp === 1 ? undefined : { topic: `${cmnd}STATE`, payload: "" };
  c.rl.forEach((kind, idx) => {
    if (kind !== RL_RELAY && kind !== RL_LIGHT) return; // 3: a shutter's pair, not an on/off
    const component = kind === RL_LIGHT || c.so?.[OPTION_HASS_LIGHT] === 1 ? "light" : "switch";
    // Tasmota names a one-relay device's power POWER (POWER1 is accepted as a command too).
    const power = relays === 1 && idx === 0 ? "POWER" : `POWER${idx + 1}`;
    entities.push({
      ...base,
      id: `${component}/${c.mac}/relay_${idx}`,
      component,
      uniqueId: `${c.mac}_${component}_relay_${idx}`,
      name: c.fn[idx] ?? `${c.dn} ${component} ${idx}`,
      stateTopic: `${stat}${power}`,
      commandTopic: `${cmnd}POWER${idx + 1}`,
      commandOn: on,
      commandOff: off,
      stateOn: on,
      stateOff: off,
      moreStates: [
        { topic: `${stat}RESULT`, template: powerKey(idx) },
        { topic: `${tele}STATE`, template: powerKey(idx) },
      ],
      ...(poll ? { poll } : {}),
    });
  });
  for (const { path, unit } of sampleNumbers(sample ?? {})) {
    const template = parseTemplate(`{{ value_json${path.map((key) => `[${JSON.stringify(key)}]`).join("")} }}`);
    if (!template.ok || !checkTopicName(`${tele}SENSOR`).ok) continue;
    entities.push({
      ...base,
      id: `sensor/${c.mac}/${path.join("_").replace(/[^A-Za-z0-9_-]/g, "_")}`,
      component: "sensor",
      uniqueId: `${c.mac}_sensor_sensor_${path.join("_")}`,
      name: `${c.dn} ${path.join(" ")}`,
      stateTopic: `${tele}SENSOR`,
      stateTemplate: template.template,
      commandTopic: null,
      commandOn: "ON",
      commandOff: "OFF",
      stateOn: "ON",
      stateOff: "OFF",
      unit,
    });
  }
  return entities;
}

/**
 * Relay `idx`'s state in Tasmota's JSON (`{"POWER":"ON"}`, `{"POWER2":"OFF",…}`), as hatasmota
 * utils.get_state_power reads it: `POWER<idx+1>`, or for the first relay `POWER` when present.
 * A payload without the key (RESULT answers every command: `{"Dimmer":40}`) says nothing of it.
 */
function powerKey(idx: number): ValueTemplate {
  const source = idx === 0 ? "{{ value_json.POWER if value_json.POWER is defined else value_json.POWER1 }}" : `{{ value_json.POWER${idx + 1} }}`;
  const parsed = parseTemplate(source);
  if (!parsed.ok) throw new Error(`tasmota: ${source}: ${parsed.notUnderstood}`);
  return parsed.template;
}

/** A key Hearth puts in a template path: what Tasmota's sensor names and quantities use. */
const KEY = /^[A-Za-z0-9_.\- ]{1,64}$/;

/**
 * The numbers of a sensor sample, by path, as hatasmota sensor.py get_sensor_entities walks
 * it: `{"AM2301":{"Temperature":21.3}}` → AM2301 Temperature; one level deeper for nested
 * sensors (`{"TX23":{"Speed":{"Act":14.8}}}`). Text (`TotalStartTime`) and arrays (tariffs,
 * phases) are left out: Hearth shows one number per sensor.
 */
function sampleNumbers(sample: SensorSample): Array<{ path: string[]; unit: string | null }> {
  const found: Array<{ path: string[]; unit: string | null }> = [];
  for (const [sensor, values] of Object.entries(sample)) {
    if (IGNORED_SENSORS.has(sensor) || !KEY.test(sensor) || !isObject(values)) continue;
    for (const [quantity, value] of Object.entries(values)) {
      if (!KEY.test(quantity)) continue;
      const unit = unitOf(quantity, sample);
      if (typeof value === "number") found.push({ path: [sensor, quantity], unit });
      else if (isObject(value)) {
        for (const [leaf, inner] of Object.entries(value)) {
          if (KEY.test(leaf) && typeof inner === "number") found.push({ path: [sensor, quantity, leaf], unit });
        }
      }
    }
  }
  return found;
}

function unitOf(quantity: string, sample: SensorSample): string | null {
  const dynamic = DYNAMIC_UNITS[quantity];
  if (dynamic !== undefined) {
    const named = sample[dynamic];
    if (typeof named !== "string") return null;
    return quantity === "Temperature" || quantity === "DewPoint" ? `°${named}` : named;
  }
  return UNITS[quantity] ?? null;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

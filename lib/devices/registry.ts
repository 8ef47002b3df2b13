// The device registry (issue 5): one list of entities merged from three sources.
//  1. The topic convention: `home/<room>/<device>/state` (+ `/set`, `/availability`)
//     is a switch; a device heard only on `…/availability` is a status-only device.
//  2. Home Assistant discovery (ha-discovery.ts), which may use any topics
//     (`zigbee2mqtt/Kitchen plug`). An entity whose topics follow the convention
//     merges with the convention device of the same key, so one lamp is one row.
//  3. The config file (device-config.ts): names, rooms, icons and timeouts laid over
//     either of the above (matched by key, unique_id or discovery id), or whole
//     devices defined by their topics.
// Room of a discovered entity: the config's, else the device's suggested_area, else
// a card named after its device (a Zigbee sensor's temperature, humidity and battery
// stay together), else "Devices". Pure: the live store calls it when a source changes.
import { parseTemplate, readsJsonField, readsPayloadAsIs, type ValueTemplate } from "./value-template";
import { labelFromLevel, parseHomeTopic, topicMatches } from "../topics";
import type { DeviceConfig } from "./device-config";
import type { AvailabilityMode, AvailabilitySource, DiscoveredEntity, StatePoll, StateSource } from "./ha-discovery";

export type EntityKind = "switch" | "binary_sensor" | "sensor" | "status";
export type EntitySource = "convention" | "discovery" | "config";
export type Availability = "online" | "offline";

export type EntityCommand = {
  readonly topic: string;
  readonly on: string;
  readonly off: string;
  /** From the config; null: the hub's default. */
  readonly timeoutMs: number | null;
  /** No state topic: nothing will confirm a command, so the toggle trusts it and says so. */
  readonly optimistic: boolean;
};

export type Entity = {
  /** `living_room/lamp` (convention), `home/attic/temperature`, `ha:<discovery id>`, or a config id. */
  readonly key: string;
  readonly kind: EntityKind;
  readonly source: EntitySource;
  readonly name: string;
  readonly icon: string | null;
  readonly room: string;
  /** What a sensor measures (`temperature`), for the unit when none is declared. */
  readonly measurement: string;
  readonly stateTopic: string | null;
  readonly stateTemplate: ValueTemplate | null;
  readonly stateOn: string;
  readonly stateOff: string;
  /** Other topics reporting the same state, each through its own template (a Tasmota relay's RESULT and STATE). */
  readonly moreStates: readonly StateSource[];
  /** What the hub sends to ask for the state when the availability says online (Tasmota's `cmnd/<t>/STATE`). */
  readonly poll: StatePoll | null;
  readonly command: EntityCommand | null;
  readonly availability: readonly AvailabilitySource[];
  readonly availabilityMode: AvailabilityMode;
  /** Availability topics were declared, so hearing nothing there means "unknown". */
  readonly expectsAvailability: boolean;
  readonly unit: string | null;
  /** Home Assistant's device_class (`door`, `motion`, `temperature`), when announced. */
  readonly deviceClass: string | null;
};

export type ConventionDevice = { readonly room: string; readonly device: string; readonly hasState: boolean };

export type RegistrySources = {
  config: readonly DeviceConfig[];
  discovered: Iterable<DiscoveredEntity>;
  convention: Iterable<ConventionDevice>;
};

export const DEFAULT_ROOM = "devices";

/**
 * "Living Room" → "living_room", "거실 온도계" → "거실_온도계": a room key from a free-text
 * area or device name. Letters, their marks and digits of any script stay (review-10 F9: Korean, Cyrillic,
 * CJK names all fell into one "Devices" card); Latin accents are folded as before, so
 * "Küche" still joins the convention's `home/kuche/…`. Never a wildcard or a slash, so the
 * key is a topic level and a room URL (isRoomLevel).
 */
export function roomKeyOf(text: string): string | null {
  const folded = text
    .normalize("NFKD")
    .replace(/(\p{Script=Latin})\p{M}+/gu, "$1")
    .normalize("NFKC")
    .toLowerCase()
    // Marks too: the vowel signs of Devanagari or Thai are part of the word (रसोई and रसाई are two rooms).
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, "_")
    .replace(/^_+|_+$/g, "");
  // By code point, so a character outside the BMP is never cut in half.
  const key = Array.from(folded).slice(0, 64).join("").replace(/_+$/, "");
  return key === "" ? null : key;
}

/** `home/<room>/<device>/state|set|availability` → `<room>/<device>`. */
export function conventionKeyOf(topic: string | null): string | null {
  const parsed = topic === null ? null : parseHomeTopic(topic);
  return parsed && parsed.kind !== "measurement" ? `${parsed.room}/${parsed.device}` : null;
}

function conventionEntity(c: ConventionDevice, overlay: DeviceConfig | undefined): Entity {
  const base = `home/${c.room}/${c.device}`;
  return {
    key: `${c.room}/${c.device}`,
    kind: c.hasState ? "switch" : "status",
    source: "convention",
    name: overlay?.name ?? labelFromLevel(c.device),
    icon: overlay?.icon ?? null,
    room: overlay?.room ?? c.room,
    measurement: c.device,
    stateTopic: c.hasState ? `${base}/state` : null,
    stateTemplate: null,
    stateOn: "ON",
    stateOff: "OFF",
    moreStates: [],
    poll: null,
    command: c.hasState ? { topic: `${base}/set`, on: "ON", off: "OFF", timeoutMs: overlay?.commandTimeoutMs ?? null, optimistic: false } : null,
    availability: [{ topic: `${base}/availability`, online: "online", offline: "offline", template: null }],
    availabilityMode: "latest",
    // The convention does not promise an availability topic; most sensors never publish one.
    expectsAvailability: false,
    unit: null,
    deviceClass: null,
  };
}

function discoveredEntity(d: DiscoveredEntity, key: string, overlay: DeviceConfig | undefined, merged: Entity | undefined): Entity {
  const area = d.device?.suggestedArea ? roomKeyOf(d.device.suggestedArea) : null;
  const group = d.device?.name ? roomKeyOf(d.device.name) : null;
  const availability = d.availability.length > 0 ? d.availability : (merged?.availability ?? []);
  return {
    key,
    kind: d.component === "light" ? "switch" : d.component,
    source: "discovery",
    name: overlay?.name ?? d.name,
    icon: overlay?.icon ?? merged?.icon ?? null,
    room: overlay?.room ?? merged?.room ?? parseHomeTopic(key)?.room ?? area ?? group ?? DEFAULT_ROOM,
    measurement: d.deviceClass ?? d.id.split("/").at(-1)!,
    stateTopic: d.stateTopic,
    stateTemplate: d.stateTemplate,
    stateOn: d.stateOn,
    stateOff: d.stateOff,
    // Only a switch's state: a sensor's readings come from its one state topic (its key, its history).
    moreStates: d.component === "sensor" ? [] : (d.moreStates ?? []),
    poll: d.poll ?? null,
    command: d.commandTopic
      ? { topic: d.commandTopic, on: d.commandOn, off: d.commandOff, timeoutMs: overlay?.commandTimeoutMs ?? null, optimistic: d.stateTopic === null }
      : null,
    availability,
    availabilityMode: d.availabilityMode,
    expectsAvailability: d.availability.length > 0,
    unit: d.unit,
    deviceClass: d.deviceClass,
  };
}

/**
 * A sensor whose payload is the number itself is keyed by its state topic: the hub
 * records every numeric topic under its own name (issue 6) and the explorer charts it
 * there, so its tile, its chart and the explorer all read the one history row per
 * reading (it used to be stored twice, under the topic and under `ha:…`). rtl_433's
 * `{{ value|float|round(1) }}` still reads the payload as is. A sensor that reads a
 * field of a JSON payload, or converts its value, keeps its own key (`ha:…`, the
 * config id; a `home/<room>/<measurement>` topic's own when it converts the value); the
 * hub's device registry records those, and the recorder leaves their topic to it
 * (broker/device-registry.ts hubRoutesOf: one row per reading, the template applied).
 */
export function plainSensorTopic(kind: string, stateTopic: string | null, stateTemplate: ValueTemplate | null): string | null {
  return kind === "sensor" && readsPayloadAsIs(stateTemplate) ? stateTopic : null;
}

/** A config entry's valueTemplate, checked when the config was read (device-config.ts). */
function configTemplate(source: string | undefined): ValueTemplate | null {
  const parsed = source === undefined ? null : parseTemplate(source);
  return parsed?.ok ? parsed.template : null;
}

function configuredEntity(c: DeviceConfig): Entity {
  const kind = c.kind ?? (c.commandTopic ? "switch" : "sensor");
  const on = c.payloadOn ?? "ON";
  const off = c.payloadOff ?? "OFF";
  const stateTopic = c.stateTopic ?? null;
  const stateTemplate = configTemplate(c.valueTemplate);
  return {
    key: plainSensorTopic(kind, stateTopic, stateTemplate) ?? c.id,
    kind,
    source: "config",
    name: c.name ?? labelFromLevel(c.id.split("/").at(-1)!),
    icon: c.icon ?? null,
    room: c.room ?? DEFAULT_ROOM,
    measurement: c.id.split("/").at(-1)!,
    stateTopic,
    stateTemplate,
    stateOn: on,
    stateOff: off,
    moreStates: [],
    poll: null,
    command:
      kind === "switch" && c.commandTopic
        ? { topic: c.commandTopic, on, off, timeoutMs: c.commandTimeoutMs ?? null, optimistic: stateTopic === null }
        : null,
    availability: c.availabilityTopic ? [{ topic: c.availabilityTopic, online: "online", offline: "offline", template: null }] : [],
    availabilityMode: "latest",
    expectsAvailability: c.availabilityTopic !== undefined,
    unit: c.unit ?? null,
    deviceClass: null,
  };
}

/** Every entity the three sources describe, by key. */
export function buildEntities(sources: RegistrySources): Map<string, Entity> {
  const byId = new Map(sources.config.map((c) => [c.id, c]));
  const used = new Set<string>();
  const overlayFor = (...ids: Array<string | null>) => {
    for (const id of ids) {
      const hit = id === null ? undefined : byId.get(id);
      if (hit) {
        used.add(hit.id);
        return hit;
      }
    }
    return undefined;
  };

  const entities = new Map<string, Entity>();
  for (const c of sources.convention) {
    const key = `${c.room}/${c.device}`;
    const overlay = overlayFor(key);
    if (overlay?.enabled !== false) entities.set(key, conventionEntity(c, overlay));
  }
  for (const d of sources.discovered) {
    // A `home/<room>/<measurement>` topic is the sensor's, unless its template picks one of several fields out of it.
    const home = d.component === "sensor" && parseHomeTopic(d.stateTopic ?? "")?.kind === "measurement" && !readsJsonField(d.stateTemplate) ? d.stateTopic : null;
    const plain = plainSensorTopic(d.component, d.stateTopic, d.stateTemplate);
    const key = conventionKeyOf(d.stateTopic) ?? conventionKeyOf(d.commandTopic) ?? home ?? plain ?? `ha:${d.id}`;
    const overlay = overlayFor(key, d.uniqueId, d.id);
    // Hidden, as Home Assistant creates it disabled, unless the config enables it (review-10 F13).
    if (!(overlay?.enabled ?? d.enabledByDefault)) continue;
    entities.set(key, discoveredEntity(d, key, overlay, entities.get(key)));
  }
  for (const c of sources.config) {
    if (used.has(c.id) || entities.has(c.id) || !(c.stateTopic || c.commandTopic) || c.enabled === false) continue;
    const entity = configuredEntity(c);
    if (!entities.has(entity.key)) entities.set(entity.key, entity);
  }
  return entities;
}

/** Which entities a topic's messages are for: their state, their n-th other state source, or their n-th availability source. */
export type Routes = {
  readonly state: ReadonlyMap<string, readonly string[]>;
  readonly moreStates: ReadonlyMap<string, ReadonlyArray<{ key: string; index: number }>>;
  readonly availability: ReadonlyMap<string, ReadonlyArray<{ key: string; index: number }>>;
};

export function routesOf(entities: Iterable<Entity>): Routes {
  const state = new Map<string, string[]>();
  const moreStates = new Map<string, Array<{ key: string; index: number }>>();
  const availability = new Map<string, Array<{ key: string; index: number }>>();
  for (const e of entities) {
    if (e.stateTopic) state.set(e.stateTopic, [...(state.get(e.stateTopic) ?? []), e.key]);
    e.moreStates.forEach((s, index) => moreStates.set(s.topic, [...(moreStates.get(s.topic) ?? []), { key: e.key, index }]));
    e.availability.forEach((a, index) => availability.set(a.topic, [...(availability.get(a.topic) ?? []), { key: e.key, index }]));
  }
  return { state, moreStates, availability };
}

/** Topics the entities listen on that the given filters (`home/#`, …) do not already cover, sorted. */
export function extraTopics(routes: Routes, covered: readonly string[]): string[] {
  const all = new Set([...routes.state.keys(), ...routes.moreStates.keys(), ...routes.availability.keys()]);
  return [...all].filter((t) => !covered.some((f) => topicMatches(f, t))).sort();
}

/**
 * What a state payload means for an entity: "ON"/"OFF" for switches and binary
 * sensors (exactly, else ignoring case, as devices differ), the raw text otherwise.
 */
export function interpretState(entity: Entity, value: string): string {
  if (entity.kind === "sensor" || entity.kind === "status") return value;
  if (value === entity.stateOn) return "ON";
  if (value === entity.stateOff) return "OFF";
  const lower = value.toLowerCase();
  if (lower === entity.stateOn.toLowerCase()) return "ON";
  if (lower === entity.stateOff.toLowerCase()) return "OFF";
  return value;
}

export function interpretAvailability(source: AvailabilitySource, value: string): Availability | null {
  if (value === source.online || value.toLowerCase() === source.online.toLowerCase()) return "online";
  if (value === source.offline || value.toLowerCase() === source.offline.toLowerCase()) return "offline";
  return null;
}

/**
 * HA's availability_mode: `latest` takes the last message on any of the topics;
 * `all` is online only when every topic says so; `any` when one does.
 */
export function combineAvailability(
  mode: AvailabilityMode,
  values: ReadonlyArray<Availability | null>,
  latest: Availability | null,
): Availability | null {
  if (mode === "latest") return latest;
  if (mode === "all") {
    if (values.includes("offline")) return "offline";
    return values.length > 0 && values.every((v) => v === "online") ? "online" : null;
  }
  if (values.includes("online")) return "online";
  return values.includes("offline") ? "offline" : null;
}

/** How people say a binary sensor's state; the dashboard words it in its language (binaryState.*). */
export type BinaryStateWord = "open" | "closed" | "detected" | "clear" | "home" | "away" | "wet" | "dry" | "smoke" | "low" | "normal";

const BINARY_LABELS: Record<string, [on: BinaryStateWord, off: BinaryStateWord]> = {
  door: ["open", "closed"],
  garage_door: ["open", "closed"],
  window: ["open", "closed"],
  opening: ["open", "closed"],
  motion: ["detected", "clear"],
  occupancy: ["detected", "clear"],
  presence: ["home", "away"],
  moisture: ["wet", "dry"],
  smoke: ["smoke", "clear"],
  battery: ["low", "normal"],
};

/** A binary sensor's state as a person says it: a door is "open", not "ON"; null when there is no such word. */
export function binaryStateWord(deviceClass: string | null, state: string): BinaryStateWord | null {
  const labels = deviceClass === null || !Object.hasOwn(BINARY_LABELS, deviceClass) ? undefined : BINARY_LABELS[deviceClass];
  if (!labels) return null;
  return state === "ON" ? labels[0] : state === "OFF" ? labels[1] : null;
}

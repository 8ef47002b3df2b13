// The live store's device half (issue 5): the registry's three sources as the page
// hears them, the entities built from them, which messages are for them, and the
// routing of state and availability messages on any topic to those entities. The
// live store owns the snapshots and the once-a-frame flush; it queues this module's
// `DeviceUpdate`s, and during a flush hands it a `FlushContext` to read and change the
// snapshots through, so both halves commit together.
import type { LivePoint, TopicError } from "../live-point";
import { parseReading, type Reading } from "../readings";
import type { ValueTemplate } from "./value-template";
import { evaluateTemplate } from "./value-template-eval";
import type { HomeTopic } from "../topics";
import type { DeviceConfig } from "./device-config";
import { parseDiscovery, type DiscoveredEntity, type DiscoveryResult } from "./ha-discovery";
import { MAX_STATE_BYTES } from "./last-states";
import {
  buildEntities,
  combineAvailability,
  extraTopics,
  interpretAvailability,
  interpretState,
  routesOf,
  type ConventionDevice,
  type Entity,
  type EntityCommand,
  type EntityKind,
  type EntitySource,
  type Routes,
} from "./registry";

export type Availability = "online" | "offline";

/** A switch, binary sensor or status-only device, from the device registry plus its live state. */
export type DeviceSnapshot = {
  readonly key: string;
  readonly room: string;
  readonly device: string;
  readonly name: string;
  readonly icon: string | null;
  readonly kind: Exclude<EntityKind, "sensor">;
  readonly source: EntitySource;
  /** `ON`/`OFF` when the payload is the device's on or off state, else its text, trimmed. */
  readonly state: string | null;
  readonly availability: Availability | null;
  readonly expectsAvailability: boolean;
  /** How to switch it; null for devices that only report. */
  readonly command: EntityCommand | null;
  /** Home Assistant's device_class (a binary sensor's `door`), when announced. */
  readonly deviceClass: string | null;
  /** When this page learnt of the device (epoch ms): "unknown" availability counts from here. */
  readonly knownSince: number;
};

/** The key of a device in the store: `attic/fan`. */
export function deviceKey(room: string, device: string): string {
  return `${room}/${device}`;
}

/** A message for the device half, queued by the live store and applied in its flush. */
export type DeviceUpdate =
  /** A message for the registry's entities, routed when the flush applies it. */
  | { kind: "message"; topic: string; payload: Uint8Array; at: number; retained: boolean; convention: ConventionDevice | null }
  /** The entities a discovery config (`id`: `switch/lamp`, `device/gw01`) describes now; none when removed. */
  | { kind: "discovery"; id: string; entities: readonly DiscoveredEntity[] }
  | { kind: "config"; devices: readonly DeviceConfig[] };

/**
 * A discovery config message as an update, and what of it is ignored (a bad config, or a
 * device config's components Hearth cannot show); null: not a discovery topic. `parse`:
 * Home Assistant's discovery, or a reader of Tasmota's own (tasmota-discovery.ts).
 */
export function discoveryUpdate(
  topic: string,
  payload: Uint8Array,
  parse: (topic: string, payload: Uint8Array) => DiscoveryResult = parseDiscovery,
): { update: DeviceUpdate | null; ignored: string | null } | null {
  const result = parse(topic, payload);
  if (result.ok) {
    const entities = result.kind === "config" ? result.entities : [];
    const skipped = result.kind === "config" ? result.skipped : [];
    const ignored = skipped.map((s) => `${s.id} (${s.code}): ${s.message}`).join("; ");
    return { update: { kind: "discovery", id: result.id, entities }, ignored: ignored ? `discovery config ${topic}: ignored ${ignored}` : null };
  }
  if (result.code === "not-discovery") return null;
  return { update: null, ignored: `discovery config ${topic} ignored (${result.code}): ${result.message}` };
}

/** A state or availability payload is a word; anything longer is not one. */
const MAX_STATUS_BYTES = 64;
const statusDecoder = new TextDecoder("utf-8", { fatal: true });

function decodeStatus(payload: Uint8Array): string | null {
  if (payload.byteLength === 0 || payload.byteLength > MAX_STATUS_BYTES) return null;
  try {
    return statusDecoder.decode(payload).trim() || null;
  } catch {
    return null;
  }
}

/**
 * What a message that is not a reading is to the device half: a convention device's
 * state or availability (it exists once it says something meaningful), or a message on
 * a topic the registry routes; null when neither. `routed` is `isRouted(topic)`.
 */
export function messageUpdate(
  topic: string,
  parsed: HomeTopic | null,
  routed: boolean,
  payload: Uint8Array,
  at: number,
  retained: boolean,
): DeviceUpdate | null {
  if (parsed?.kind === "state" || parsed?.kind === "availability") {
    const text = decodeStatus(payload);
    const meaningful =
      text !== null && (parsed.kind === "state" || text.toLowerCase() === "online" || text.toLowerCase() === "offline");
    if (meaningful) {
      const convention = { room: parsed.room, device: parsed.device, hasState: parsed.kind === "state" };
      return { kind: "message", topic, payload, at, retained, convention };
    }
  }
  return routed ? { kind: "message", topic, payload, at, retained, convention: null } : null;
}

/** A sensor's snapshot while a flush changes it (the live store's topic draft). */
export type SensorDraft = {
  name: string | null;
  measurement: string;
  reading: Reading | null;
  text: string | null;
  error: TopicError | null;
  availability: Availability | null;
  added: LivePoint[];
};

export type FlushContext = {
  now: number;
  /** The draft of a sensor's snapshot, created in `room` when new. */
  sensorDraft(key: string, room: string, measurement: string, name: string): SensorDraft;
  removeSensor(key: string, room: string): void;
  device(key: string): DeviceSnapshot | undefined;
  /** Sets (or with null removes) a device; `room` is where it is listed. */
  setDevice(key: string, snapshot: DeviceSnapshot | null, room: string): void;
  warnUnreadable(key: string, error: TopicError): void;
};

const decoder = new TextDecoder("utf-8", { fatal: true });

/** A state or availability payload as text: the whole payload, or what its template makes of it. */
function readValue(payload: Uint8Array, template: ValueTemplate | null): string | null {
  if (payload.byteLength === 0 || payload.byteLength > MAX_STATE_BYTES) return null;
  let text: string;
  try {
    text = decoder.decode(payload).trim();
  } catch {
    return null;
  }
  if (template === null) return text || null;
  const result = evaluateTemplate(template, text);
  const value = result.ok ? result.value : null;
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) || null : null;
}

/**
 * A sensor that declares neither unit nor device class may report text: ESPHome announces
 * its text_sensors as `sensor` (mqtt_component.cpp), Zigbee2MQTT its enums and texts too.
 */
function isTextSensor(entity: Entity): boolean {
  return entity.unit === null && entity.deviceClass === null;
}

function deviceSnapshot(entity: Entity, previous: DeviceSnapshot | undefined, now: number): DeviceSnapshot {
  return {
    key: entity.key,
    room: entity.room,
    device: entity.key.split("/").at(-1)!,
    name: entity.name,
    icon: entity.icon,
    kind: entity.kind as DeviceSnapshot["kind"],
    source: entity.source,
    state: previous?.state ?? null,
    availability: previous?.availability ?? null,
    expectsAvailability: entity.expectsAvailability,
    command: entity.command,
    deviceClass: entity.deviceClass,
    knownSince: previous?.knownSince ?? now,
  };
}

export type LiveRegistry = {
  /** Whether messages on `topic` are for a known entity (routes as of the last flush). */
  isRouted(topic: string): boolean;
  setConfig(devices: readonly DeviceConfig[]): void;
  /** The entities of a discovery config (none: removed). */
  discover(id: string, entities: readonly DiscoveredEntity[]): void;
  /** A convention device said something meaningful on its state or availability topic. */
  heard(device: ConventionDevice): void;
  /** Applies a state or availability message, with the registry brought up to date first. */
  applyMessage(ctx: FlushContext, topic: string, payload: Uint8Array, at: number, retained: boolean): void;
  /** Applies a queued update (config, discovery, or a message, heard first when a convention device's). */
  apply(ctx: FlushContext, update: DeviceUpdate): void;
  /** Brings the snapshots up to date with changed sources; call once at the end of a flush. */
  settle(ctx: FlushContext): void;
  /** Topics beyond `covered` that entities report on, sorted. */
  extraTopics(covered: readonly string[]): string[];
};

export function createLiveRegistry(): LiveRegistry {
  let config: readonly DeviceConfig[] = [];
  /** The entities of each discovery config, by its id. */
  const discovered = new Map<string, readonly DiscoveredEntity[]>();
  const convention = new Map<string, ConventionDevice>();
  let entities = new Map<string, Entity>();
  let routes: Routes = routesOf([]);
  /** What each of an entity's availability topics last said (for availability_mode). */
  const availabilityParts = new Map<string, Array<Availability | null>>();
  /** The last payload per topic: an entity announced after its state still shows it. */
  const lastPayloads = new Map<string, { payload: Uint8Array; at: number }>();
  let dirty = false;

  function applyState(ctx: FlushContext, entity: Entity, value: string | null) {
    const current = ctx.device(entity.key);
    if (value === null || !current) return;
    const state = interpretState(entity, value);
    if (current.state !== state) ctx.setDevice(entity.key, { ...current, state }, entity.room);
  }

  function route(ctx: FlushContext, topic: string, payload: Uint8Array, at: number, retained: boolean, onlyKey?: string) {
    for (const key of routes.state.get(topic) ?? []) {
      if (onlyKey !== undefined && key !== onlyKey) continue;
      const entity = entities.get(key)!;
      if (entity.kind === "sensor") {
        const result = parseReading(key, entity.room, entity.measurement, payload, at, {
          template: entity.stateTemplate ?? undefined,
          unit: entity.unit ?? undefined,
        });
        const draft = ctx.sensorDraft(key, entity.room, entity.measurement, entity.name);
        if (result.ok) {
          draft.reading = result.reading;
          draft.error = null;
          draft.text = null;
          if (!retained) draft.added.push({ t: at, v: result.reading.value });
        } else if (result.code === "not-a-number" && isTextSensor(entity)) {
          // ESPHome's IP address, SSID or version, a Zigbee2MQTT mode: text, not an unreadable number.
          const text = readValue(payload, entity.stateTemplate);
          if (text !== null) [draft.text, draft.error] = [text, null];
        } else if (result.code !== "empty") {
          const error: TopicError = { code: result.code, message: result.message, at };
          ctx.warnUnreadable(key, error);
          draft.error = error;
        }
        continue;
      }
      applyState(ctx, entity, readValue(payload, entity.stateTemplate));
    }
    // A Tasmota relay's state in RESULT / STATE JSON (review-15 L3): a payload without its key says nothing.
    for (const { key, index } of routes.moreStates.get(topic) ?? []) {
      if (onlyKey !== undefined && key !== onlyKey) continue;
      const entity = entities.get(key)!;
      applyState(ctx, entity, readValue(payload, entity.moreStates[index].template));
    }
    for (const { key, index } of routes.availability.get(topic) ?? []) {
      if (onlyKey !== undefined && key !== onlyKey) continue;
      const entity = entities.get(key)!;
      const source = entity.availability[index];
      const value = readValue(payload, source.template);
      const availability = value === null ? null : interpretAvailability(source, value);
      if (availability === null) continue;
      const parts = availabilityParts.get(key) ?? entity.availability.map(() => null);
      parts[index] = availability;
      availabilityParts.set(key, parts);
      const combined = combineAvailability(entity.availabilityMode, parts, availability);
      if (entity.kind === "sensor") {
        ctx.sensorDraft(key, entity.room, entity.measurement, entity.name).availability = combined;
        continue;
      }
      const current = ctx.device(key);
      if (current && current.availability !== combined) ctx.setDevice(key, { ...current, availability: combined }, entity.room);
    }
  }

  function rebuild(ctx: FlushContext) {
    dirty = false;
    const previous = entities;
    entities = buildEntities({ config, discovered: [...discovered.values()].flat(), convention: convention.values() });
    routes = routesOf(entities.values());
    for (const [key, old] of previous) {
      const entity = entities.get(key);
      if (entity && (entity.kind === "sensor") === (old.kind === "sensor") && entity.room === old.room) continue;
      availabilityParts.delete(key);
      if (old.kind === "sensor") ctx.removeSensor(key, old.room);
      else ctx.setDevice(key, null, old.room);
    }
    const changed: Entity[] = [];
    for (const [key, entity] of entities) {
      const old = previous.get(key);
      if (old && JSON.stringify(old) === JSON.stringify(entity)) continue;
      changed.push(entity);
      availabilityParts.delete(key);
      if (entity.kind === "sensor") {
        const draft = ctx.sensorDraft(key, entity.room, entity.measurement, entity.name);
        draft.name = entity.name;
        draft.measurement = entity.measurement;
      } else {
        const current = ctx.device(key);
        // Availability is worked out anew from the replayed messages below.
        ctx.setDevice(key, deviceSnapshot(entity, current && { ...current, availability: null }, ctx.now), entity.room);
      }
    }
    for (const entity of changed) {
      const topics = [entity.stateTopic, ...entity.moreStates.map((s) => s.topic), ...entity.availability.map((a) => a.topic)];
      // Oldest first: of the topics reporting one state (Tasmota's POWER, RESULT, STATE), the latest says it.
      const heard = [...new Set(topics)].flatMap((topic) => {
        const last = topic === null ? undefined : lastPayloads.get(topic);
        return topic !== null && last ? [{ topic, ...last }] : [];
      });
      for (const { topic, payload, at } of heard.sort((a, b) => a.at - b.at)) route(ctx, topic, payload, at, true, entity.key);
    }
  }

  const registry: LiveRegistry = {
    isRouted: (topic) => routes.state.has(topic) || routes.moreStates.has(topic) || routes.availability.has(topic),
    setConfig(devices) {
      config = devices;
      dirty = true;
    },
    discover(id, found) {
      if (found.length > 0) discovered.set(id, found);
      else if (!discovered.delete(id)) return;
      dirty = true;
    },
    heard(device) {
      const key = `${device.room}/${device.device}`;
      const known = convention.get(key);
      if (known && (known.hasState || !device.hasState)) return;
      convention.set(key, device);
      dirty = true;
    },
    applyMessage(ctx, topic, payload, at, retained) {
      // Routing needs the registry as of this message: a config and its state may share a flush.
      if (dirty) rebuild(ctx);
      lastPayloads.set(topic, { payload, at });
      route(ctx, topic, payload, at, retained);
    },
    settle(ctx) {
      if (dirty) rebuild(ctx);
    },
    apply(ctx, update) {
      switch (update.kind) {
        case "config":
          registry.setConfig(update.devices);
          break;
        case "discovery":
          registry.discover(update.id, update.entities);
          break;
        case "message":
          if (update.convention) registry.heard(update.convention);
          registry.applyMessage(ctx, update.topic, update.payload, update.at, update.retained);
          break;
      }
    },
    extraTopics: (covered) => extraTopics(routes, covered),
  };
  return registry;
}

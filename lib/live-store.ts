// The browser's live state: every MQTT message under `home/` lands here, is parsed
// once, and is published to React as immutable per-topic snapshots. Framework-free
// so it is tested in node; components read it through useSyncExternalStore hooks.
//
// Messages are queued and applied in one flush per animation frame: a burst of a
// hundred messages costs one render of each tile that changed, not a hundred.
import type { DeviceConfig } from "./devices/device-config";
import { DISCOVERY_PREFIX, parseDiscovery, type DiscoveredEntity } from "./devices/ha-discovery";
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
} from "./devices/registry";
import { parseReading, readField, type Reading, type UnreadableCode } from "./readings";
import { labelFromLevel, parseHomeTopic } from "./topics";

/** A live chart point: `t` is the browser's receive time (epoch ms). */
export type LivePoint = { readonly t: number; readonly v: number };

export type TopicError = {
  readonly code: UnreadableCode;
  readonly message: string;
  /** Browser time the unreadable payload arrived. */
  readonly at: number;
};

export type TopicSnapshot = {
  /** The MQTT topic for `home/<room>/<measurement>`; the entity key for a discovered sensor. */
  readonly topic: string;
  /** A discovered or configured sensor's friendly name; null: labelled from the measurement. */
  readonly name: string | null;
  readonly room: string;
  readonly measurement: string;
  /** The last good reading, kept while newer payloads are unreadable. */
  readonly reading: Reading | null;
  /** Set by an unreadable payload, cleared by the next good one. */
  readonly error: TopicError | null;
  /** Readings received live since page load, oldest first, capped. */
  readonly points: readonly LivePoint[];
};

export type RoomSummary = {
  readonly room: string;
  readonly label: string;
  /** Measurement topics (`home/<room>/<measurement>`), sorted. */
  readonly topics: readonly string[];
  /** Device keys (`attic/fan`, `ha:switch/node/plug`), sorted; look each up with getDevice. */
  readonly devices: readonly string[];
};

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
  /** When this page learnt of the device (epoch ms): "unknown" availability counts from here. */
  readonly knownSince: number;
};

export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "offline";

export type ConnectionState = {
  readonly status: ConnectionStatus;
  /** When `status` last changed (epoch ms). */
  readonly since: number;
  /** Reconnect attempts since the connection was last up; 0 while connected. */
  readonly attempt: number;
  /** Successful connects so far: a change means messages may have been missed. */
  readonly epoch: number;
};

/** Runs `callback` later; returns a function that cancels it. */
export type Schedule = (callback: () => void) => () => void;

export type LiveStoreOptions = {
  schedule?: Schedule;
  now?: () => number;
  /** Live points kept per topic: an hour of one reading a second by default. */
  maxPointsPerTopic?: number;
};

export type IngestOptions = {
  /**
   * A retained message is the broker's copy of an older publish: it updates the
   * current reading but is no live chart point, since its receive time is not
   * the time it was measured.
   */
  retained?: boolean;
};

export type LiveStore = {
  ingest(topic: string, payload: Uint8Array, options?: IngestOptions): void;
  /** The config file's devices (names, rooms, icons, devices defined by topics); applied at once. */
  setDeviceConfig(devices: readonly DeviceConfig[]): void;
  /** Topics beyond `home/#` and `homeassistant/#` that known devices report on, sorted. */
  getSubscriptions(): readonly string[];
  subscribeSubscriptions(listener: () => void): () => void;
  /** Applies the server-rendered latest readings at once (no frame wait). */
  seed(readings: readonly Reading[]): void;
  /** Applies queued messages now; normally called by the scheduler. */
  flush(): void;
  getTopic(topic: string): TopicSnapshot | undefined;
  getRooms(): readonly RoomSummary[];
  getDevice(key: string): DeviceSnapshot | undefined;
  getConnection(): ConnectionState;
  setConnection(status: ConnectionStatus, attempt?: number): void;
  subscribeTopic(topic: string, listener: () => void): () => void;
  subscribeRooms(listener: () => void): () => void;
  subscribeDevice(key: string, listener: () => void): () => void;
  subscribeConnection(listener: () => void): () => void;
};

/** What the page always subscribes to; devices found there may name further topics. */
export const BASE_SUBSCRIPTIONS = ["home/#", `${DISCOVERY_PREFIX}/#`] as const;

/** The key of a device in the store: `attic/fan`. */
export function deviceKey(room: string, device: string): string {
  return `${room}/${device}`;
}

/** A state or availability payload is a word; anything longer is not one. */
const MAX_STATUS_BYTES = 64;
/** A device's JSON state (Zigbee2MQTT sends every attribute at once) is small, but not that small. */
const MAX_STATE_BYTES = 8 * 1024;
const WARN_INTERVAL_MS = 60_000;
/** rAF does not fire in a hidden tab; the timeout keeps the store current there. */
const HIDDEN_TAB_FLUSH_MS = 250;

/** The next animation frame or 250 ms, whichever comes first; runs once. */
export const frameOrTimeout: Schedule = (callback) => {
  let done = false;
  const hasFrames = typeof requestAnimationFrame === "function";
  const run = () => {
    if (done) return;
    done = true;
    cancel();
    callback();
  };
  const frame = hasFrames ? requestAnimationFrame(run) : 0;
  const timer = setTimeout(run, HIDDEN_TAB_FLUSH_MS);
  function cancel() {
    done = true;
    if (hasFrames) cancelAnimationFrame(frame);
    clearTimeout(timer);
  }
  return cancel;
};

type Update =
  | {
      kind: "reading";
      topic: string;
      room: string;
      measurement: string;
      reading: Reading;
      /** Browser receive time for a live point; null for seeded and retained readings. */
      pointAt: number | null;
      seeded: boolean;
    }
  | { kind: "error"; topic: string; room: string; measurement: string; error: TopicError }
  /** A message for the device registry's entities, routed when the flush applies it. */
  | { kind: "message"; topic: string; payload: Uint8Array; at: number; retained: boolean; convention: ConventionDevice | null }
  | { kind: "discovery"; id: string; entity: DiscoveredEntity | null }
  | { kind: "config"; devices: readonly DeviceConfig[] };

/** A topic being changed within one flush: copied once, however many updates it gets. */
type TopicDraft = {
  topic: string;
  name: string | null;
  room: string;
  measurement: string;
  reading: Reading | null;
  error: TopicError | null;
  points: readonly LivePoint[];
  /** Live points received since the last flush, appended (and capped) on commit. */
  added: LivePoint[];
};

type RoomEntry = { topics: Set<string>; devices: Set<string> };

const statusDecoder = new TextDecoder("utf-8", { fatal: true });

function decodeStatus(payload: Uint8Array): string | null {
  if (payload.byteLength === 0 || payload.byteLength > MAX_STATUS_BYTES) return null;
  try {
    return statusDecoder.decode(payload).trim() || null;
  } catch {
    return null;
  }
}

function notify(listeners: Set<() => void> | undefined): void {
  if (!listeners) return;
  for (const listener of listeners) listener();
}

function addListener<K>(map: Map<K, Set<() => void>>, key: K, listener: () => void): () => void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size === 0 && map.get(key) === set) map.delete(key);
  };
}

const byLabel = (a: RoomSummary, b: RoomSummary) => a.label.localeCompare(b.label) || a.room.localeCompare(b.room);

/** A device's state or availability payload as text: the whole payload, or the field its template names. */
function readValue(payload: Uint8Array, field: readonly string[] | null): string | null {
  if (payload.byteLength === 0 || payload.byteLength > MAX_STATE_BYTES) return null;
  let text: string;
  try {
    text = statusDecoder.decode(payload).trim();
  } catch {
    return null;
  }
  if (field === null) return text || null;
  const value = readField(text, field);
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : null;
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
    knownSince: previous?.knownSince ?? now,
  };
}

export function createLiveStore(options: LiveStoreOptions = {}): LiveStore {
  const schedule = options.schedule ?? frameOrTimeout;
  const now = options.now ?? Date.now;
  const maxPoints = options.maxPointsPerTopic ?? 3600;

  const topics = new Map<string, TopicSnapshot>();
  const devices = new Map<string, DeviceSnapshot>();
  const roomEntries = new Map<string, RoomEntry>();
  const roomSummaries = new Map<string, RoomSummary>();
  let rooms: readonly RoomSummary[] = [];
  let connection: ConnectionState = { status: "connecting", since: now(), attempt: 0, epoch: 0 };

  // The device registry's three sources, and what lib/devices/registry.ts made of them.
  let deviceConfig: readonly DeviceConfig[] = [];
  const discovered = new Map<string, DiscoveredEntity>();
  const convention = new Map<string, ConventionDevice>();
  let entities = new Map<string, Entity>();
  let routes: Routes = routesOf([]);
  let subscriptions: readonly string[] = [];
  /** What each of an entity's availability topics last said (for availability_mode). */
  const availabilityParts = new Map<string, Array<Availability | null>>();
  /** The last payload per routed topic: an entity announced after its state still shows it. */
  const lastPayloads = new Map<string, { payload: Uint8Array; at: number }>();
  let registryDirty = false;

  const topicListeners = new Map<string, Set<() => void>>();
  const deviceListeners = new Map<string, Set<() => void>>();
  const roomListeners = new Set<() => void>();
  const connectionListeners = new Set<() => void>();
  const subscriptionListeners = new Set<() => void>();

  let pending: Update[] = [];
  let cancelFlush: (() => void) | null = null;
  const lastWarned = new Map<string, number>();

  function enqueue(update: Update): void {
    pending.push(update);
    cancelFlush ??= schedule(flush);
  }

  function warnOnce(topic: string, at: number, message: string): void {
    const last = lastWarned.get(topic);
    if (last !== undefined && at - last < WARN_INTERVAL_MS) return;
    lastWarned.set(topic, at);
    console.warn(`hearth: ${message}`);
  }

  function warnUnreadable(topic: string, error: TopicError): void {
    warnOnce(topic, error.at, `unreadable payload on ${topic} (${error.code}): ${error.message}`);
  }

  function ingest(topic: string, payload: Uint8Array, ingestOptions: IngestOptions = {}): void {
    const at = now();
    if (topic.startsWith(`${DISCOVERY_PREFIX}/`)) {
      const result = parseDiscovery(topic, payload);
      if (result.ok) {
        enqueue(
          result.kind === "config"
            ? { kind: "discovery", id: result.entity.id, entity: result.entity }
            : { kind: "discovery", id: result.id, entity: null },
        );
      } else if (result.code !== "not-discovery") {
        warnOnce(topic, at, `discovery config ${topic} ignored (${result.code}): ${result.message}`);
      }
      return;
    }
    const retained = ingestOptions.retained ?? false;
    const routed = routes.state.has(topic) || routes.availability.has(topic);
    const parsed = parseHomeTopic(topic);
    if (parsed?.kind === "measurement" && !routed) {
      const { room, measurement } = parsed;
      const result = parseReading(topic, room, measurement, payload, at);
      if (result.ok) {
        const pointAt = retained ? null : at;
        enqueue({ kind: "reading", topic, room, measurement, reading: result.reading, pointAt, seeded: false });
      } else if (result.code !== "empty") {
        // An empty payload clears a retained message; it says nothing about the sensor.
        const error: TopicError = { code: result.code, message: result.message, at };
        warnUnreadable(topic, error);
        enqueue({ kind: "error", topic, room, measurement, error });
      }
      return;
    }
    if (parsed?.kind === "state" || parsed?.kind === "availability") {
      // A convention device exists once it says something meaningful.
      const text = decodeStatus(payload);
      const meaningful =
        text !== null && (parsed.kind === "state" || text.toLowerCase() === "online" || text.toLowerCase() === "offline");
      if (meaningful) {
        const convention = { room: parsed.room, device: parsed.device, hasState: parsed.kind === "state" };
        enqueue({ kind: "message", topic, payload, at, retained, convention });
        return;
      }
    }
    if (routed) enqueue({ kind: "message", topic, payload, at, retained, convention: null });
  }

  function seed(readings: readonly Reading[]): void {
    for (const reading of readings) {
      const { topic, room, measurement } = reading;
      pending.push({ kind: "reading", topic, room, measurement, reading, pointAt: null, seeded: true });
    }
    flush();
  }

  function setDeviceConfig(devices: readonly DeviceConfig[]): void {
    pending.push({ kind: "config", devices });
    flush();
  }

  function flush(): void {
    cancelFlush?.();
    cancelFlush = null;
    if (pending.length === 0) return;
    const updates = pending;
    pending = [];

    const drafts = new Map<string, TopicDraft>();
    const removedTopics = new Set<string>();
    /** null: the device is gone. */
    const changedDevices = new Map<string, DeviceSnapshot | null>();
    const changedRooms = new Set<string>();

    const roomEntry = (room: string): RoomEntry => {
      let entry = roomEntries.get(room);
      if (!entry) {
        roomEntries.set(room, (entry = { topics: new Set(), devices: new Set() }));
        changedRooms.add(room);
      }
      return entry;
    };
    const leaveRoom = (room: string, list: "topics" | "devices", id: string) => {
      roomEntries.get(room)?.[list].delete(id);
      changedRooms.add(room);
    };

    const draftFor = (topic: string, room: string, measurement: string, name: string | null = null): TopicDraft => {
      let draft = drafts.get(topic);
      if (draft) return draft;
      const base = removedTopics.has(topic) ? undefined : topics.get(topic);
      removedTopics.delete(topic);
      if (!base) {
        roomEntry(room).topics.add(topic);
        changedRooms.add(room);
      }
      draft = {
        topic,
        name: name ?? base?.name ?? null,
        room,
        measurement,
        reading: base?.reading ?? null,
        error: base?.error ?? null,
        points: base?.points ?? [],
        added: [],
      };
      drafts.set(topic, draft);
      return draft;
    };

    const currentDevice = (key: string): DeviceSnapshot | undefined =>
      changedDevices.has(key) ? (changedDevices.get(key) ?? undefined) : devices.get(key);

    const removeEntity = (entity: Entity) => {
      availabilityParts.delete(entity.key);
      if (entity.kind === "sensor") {
        drafts.delete(entity.key);
        removedTopics.add(entity.key);
        leaveRoom(entity.room, "topics", entity.key);
      } else {
        changedDevices.set(entity.key, null);
        leaveRoom(entity.room, "devices", entity.key);
      }
    };

    /** Applies a state or availability message to the entities it is for (or to one of them). */
    const applyMessage = (topic: string, payload: Uint8Array, at: number, retained: boolean, onlyKey?: string) => {
      for (const key of routes.state.get(topic) ?? []) {
        if (onlyKey !== undefined && key !== onlyKey) continue;
        const entity = entities.get(key)!;
        if (entity.kind === "sensor") {
          const result = parseReading(key, entity.room, entity.measurement, payload, at, {
            field: entity.stateField ?? undefined,
            unit: entity.unit ?? undefined,
          });
          const draft = draftFor(key, entity.room, entity.measurement, entity.name);
          if (result.ok) {
            draft.reading = result.reading;
            draft.error = null;
            if (!retained) draft.added.push({ t: at, v: result.reading.value });
          } else if (result.code !== "empty") {
            const error: TopicError = { code: result.code, message: result.message, at };
            warnUnreadable(key, error);
            draft.error = error;
          }
          continue;
        }
        const value = readValue(payload, entity.stateField);
        const current = currentDevice(key);
        if (value === null || !current) continue;
        const state = interpretState(entity, value);
        if (current.state !== state) changedDevices.set(key, { ...current, state });
      }
      for (const { key, index } of routes.availability.get(topic) ?? []) {
        if (onlyKey !== undefined && key !== onlyKey) continue;
        const entity = entities.get(key)!;
        const source = entity.availability[index];
        const value = readValue(payload, source.field);
        const availability = value === null ? null : interpretAvailability(source, value);
        const current = currentDevice(key);
        if (availability === null || !current) continue;
        const parts = availabilityParts.get(key) ?? entity.availability.map(() => null);
        parts[index] = availability;
        availabilityParts.set(key, parts);
        const combined = combineAvailability(entity.availabilityMode, parts, availability);
        if (current.availability !== combined) changedDevices.set(key, { ...current, availability: combined });
      }
    };

    /** Brings snapshots, rooms and routes in line with the registry's sources. */
    const rebuild = () => {
      registryDirty = false;
      const previous = entities;
      entities = buildEntities({ config: deviceConfig, discovered: discovered.values(), convention: convention.values() });
      routes = routesOf(entities.values());
      const changed: Entity[] = [];
      for (const [key, old] of previous) {
        const entity = entities.get(key);
        if (!entity || (entity.kind === "sensor") !== (old.kind === "sensor") || entity.room !== old.room) removeEntity(old);
      }
      for (const [key, entity] of entities) {
        const old = previous.get(key);
        if (old && JSON.stringify(old) === JSON.stringify(entity)) continue;
        changed.push(entity);
        availabilityParts.delete(key);
        if (entity.kind === "sensor") {
          const draft = draftFor(key, entity.room, entity.measurement, entity.name);
          draft.name = entity.name;
          draft.measurement = entity.measurement;
          continue;
        }
        const current = currentDevice(key);
        // Availability is recomputed from the replayed messages below.
        changedDevices.set(key, deviceSnapshot(entity, current && { ...current, availability: null }, now()));
        if (!current) {
          roomEntry(entity.room).devices.add(key);
          changedRooms.add(entity.room);
        }
      }
      for (const entity of changed) {
        for (const topic of [entity.stateTopic, ...entity.availability.map((a) => a.topic)]) {
          const last = topic === null ? undefined : lastPayloads.get(topic);
          if (topic !== null && last) applyMessage(topic, last.payload, last.at, true, entity.key);
        }
      }
    };

    for (const update of updates) {
      switch (update.kind) {
        case "reading": {
          const draft = draftFor(update.topic, update.room, update.measurement);
          // A seed is the newest stored reading; it must not replace a fresher live one.
          if (update.seeded && draft.reading && draft.reading.ts > update.reading.ts) break;
          draft.reading = update.reading;
          if (!update.seeded) draft.error = null;
          if (update.pointAt !== null) draft.added.push({ t: update.pointAt, v: update.reading.value });
          break;
        }
        case "error": {
          draftFor(update.topic, update.room, update.measurement).error = update.error;
          break;
        }
        case "config": {
          deviceConfig = update.devices;
          registryDirty = true;
          break;
        }
        case "discovery": {
          if (update.entity) discovered.set(update.id, update.entity);
          else if (!discovered.delete(update.id)) break;
          registryDirty = true;
          break;
        }
        case "message": {
          const c = update.convention;
          if (c) {
            const key = deviceKey(c.room, c.device);
            const known = convention.get(key);
            if (!known || (c.hasState && !known.hasState)) {
              convention.set(key, c);
              registryDirty = true;
            }
          }
          // Routing needs the registry as of this message: a config and its state may share a flush.
          if (registryDirty) rebuild();
          lastPayloads.set(update.topic, { payload: update.payload, at: update.at });
          applyMessage(update.topic, update.payload, update.at, update.retained);
          break;
        }
      }
    }
    if (registryDirty) rebuild();

    for (const topic of removedTopics) topics.delete(topic);
    for (const draft of drafts.values()) {
      let points = draft.points;
      if (draft.added.length > 0) {
        points = points.concat(draft.added);
        if (points.length > maxPoints) points = points.slice(-maxPoints);
      }
      topics.set(draft.topic, {
        topic: draft.topic,
        name: draft.name,
        room: draft.room,
        measurement: draft.measurement,
        reading: draft.reading,
        error: draft.error,
        points,
      });
    }
    for (const [key, device] of changedDevices) {
      if (device) devices.set(key, device);
      else devices.delete(key);
    }
    if (changedRooms.size > 0) {
      for (const room of changedRooms) {
        const entry = roomEntries.get(room);
        if (!entry || entry.topics.size + entry.devices.size === 0) {
          roomEntries.delete(room);
          roomSummaries.delete(room);
          continue;
        }
        roomSummaries.set(room, {
          room,
          label: labelFromLevel(room),
          topics: [...entry.topics].sort(),
          devices: [...entry.devices].sort(),
        });
      }
      rooms = [...roomSummaries.values()].sort(byLabel);
    }
    const nextSubscriptions = extraTopics(routes, BASE_SUBSCRIPTIONS);
    const subscriptionsChanged = nextSubscriptions.join("\n") !== subscriptions.join("\n");
    if (subscriptionsChanged) subscriptions = nextSubscriptions;

    // Listeners run after every change is committed, so each sees a consistent store.
    for (const topic of drafts.keys()) notify(topicListeners.get(topic));
    for (const topic of removedTopics) notify(topicListeners.get(topic));
    for (const key of changedDevices.keys()) notify(deviceListeners.get(key));
    if (changedRooms.size > 0) notify(roomListeners);
    if (subscriptionsChanged) notify(subscriptionListeners);
  }

  function setConnection(status: ConnectionStatus, attempt = 0): void {
    const previous = connection;
    if (previous.status === status && previous.attempt === attempt) return;
    connection = {
      status,
      since: previous.status === status ? previous.since : now(),
      attempt,
      epoch: status === "connected" && previous.status !== "connected" ? previous.epoch + 1 : previous.epoch,
    };
    notify(connectionListeners);
  }

  const listenTo = (set: Set<() => void>) => (listener: () => void) => {
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  };

  return {
    ingest,
    seed,
    setDeviceConfig,
    flush,
    getTopic: (topic) => topics.get(topic),
    getRooms: () => rooms,
    getDevice: (key) => devices.get(key),
    getConnection: () => connection,
    getSubscriptions: () => subscriptions,
    setConnection,
    subscribeTopic: (topic, listener) => addListener(topicListeners, topic, listener),
    subscribeDevice: (key, listener) => addListener(deviceListeners, key, listener),
    subscribeRooms: listenTo(roomListeners),
    subscribeConnection: listenTo(connectionListeners),
    subscribeSubscriptions: listenTo(subscriptionListeners),
  };
}

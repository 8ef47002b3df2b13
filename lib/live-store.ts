// The browser's live state: every MQTT message under `home/` lands here, is parsed
// once, and is published to React as immutable per-topic snapshots. Framework-free
// so it is tested in node; components read it through useSyncExternalStore hooks.
//
// Messages are queued and applied in one flush per animation frame: a burst of a
// hundred messages costs one render of each tile that changed, not a hundred.
import type { DeviceConfig } from "./devices/device-config";
import { DISCOVERY_PREFIX } from "./devices/ha-discovery";
import { createTasmotaDiscovery, TASMOTA_DISCOVERY_PREFIX } from "./devices/tasmota-discovery";
import type { LastState } from "./devices/last-states";
import { createLiveRegistry, discoveryUpdate, messageUpdate, type DeviceSnapshot, type FlushContext } from "./devices/live-registry";
import { frameOrTimeout, type Schedule } from "./frame-schedule";
import { createRoomIndex, type RoomSummary } from "./live-rooms";
import { commitDraft, openDraft, queueSeedReadings, queueSeedStates, type TopicDraft, type TopicSnapshot, type Update } from "./live-store-drafts";
import { createScopeBook } from "./live-scope";
import { parseReading, type Reading } from "./readings";
import { isGatewayCode, isGatewayStatus, parseHomeTopic } from "./topics";
import type { TopicError } from "./live-point";

export type { TopicSnapshot } from "./live-store-drafts";

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
  /**
   * What the page asks the hub for besides HA discovery and alerts, sorted: the home
   * filters of the scopes watched now (`home/#` when none, lib/live-scope.ts) and the
   * topics beyond them that known devices report on.
   */
  getSubscriptions(): readonly string[];
  /** Narrows the home topics to `filters` (with every other watcher's) until the returned function is called. */
  watch(filters: readonly string[]): () => void;
  subscribeSubscriptions(listener: () => void): () => void;
  /** Applies the server-rendered latest readings at once (no frame wait). */
  seed(readings: readonly Reading[]): void;
  /**
   * Applies what the hub last heard on devices' state and availability topics at once,
   * as retained messages (review-10 F1): a device whose config comes later shows them.
   */
  seedStates(states: readonly LastState[]): void;
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

/** What the page always subscribes to besides its home topics (getSubscriptions). */
export const BASE_SUBSCRIPTIONS = [`${DISCOVERY_PREFIX}/#`, `${TASMOTA_DISCOVERY_PREFIX}/#`] as const;

const WARN_INTERVAL_MS = 60_000;

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

export function createLiveStore(options: LiveStoreOptions = {}): LiveStore {
  const schedule = options.schedule ?? frameOrTimeout;
  const now = options.now ?? Date.now;
  const maxPoints = options.maxPointsPerTopic ?? 3600;

  const topics = new Map<string, TopicSnapshot>();
  const devices = new Map<string, DeviceSnapshot>();
  const roomIndex = createRoomIndex();
  let connection: ConnectionState = { status: "connecting", since: now(), attempt: 0, epoch: 0 };

  const registry = createLiveRegistry();
  const scopes = createScopeBook((home) => registry.extraTopics([...home, ...BASE_SUBSCRIPTIONS]));
  /** Tasmota's own discovery: each device's config and sensors sample, read together (review-10 F2). */
  const readTasmota = createTasmotaDiscovery();

  const topicListeners = new Map<string, Set<() => void>>();
  const deviceListeners = new Map<string, Set<() => void>>();
  const roomListeners = new Set<() => void>();
  const connectionListeners = new Set<() => void>();

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
    const tasmota = topic.startsWith(`${TASMOTA_DISCOVERY_PREFIX}/`);
    if (tasmota || topic.startsWith(`${DISCOVERY_PREFIX}/`)) {
      const result = tasmota ? discoveryUpdate(topic, payload, readTasmota) : discoveryUpdate(topic, payload);
      if (result?.update) enqueue(result.update);
      if (result?.ignored) warnOnce(topic, at, result.ignored);
      return;
    }
    const retained = ingestOptions.retained ?? false;
    const routed = registry.isRouted(topic);
    const parsed = parseHomeTopic(topic);
    if (parsed?.kind === "measurement" && !routed) {
      const { room, measurement } = parsed;
      // A remote's code OpenMQTTGateway passes on is no sensor: no tile, as the hub records none (readingOf).
      if (isGatewayCode(measurement)) return;
      const result = parseReading(topic, room, measurement, payload, at);
      if (result.ok) {
        const pointAt = retained ? null : at;
        enqueue({ kind: "reading", topic, room, measurement, reading: result.reading, pointAt, seeded: false });
      } else if (result.code !== "empty") {
        // An empty payload clears a retained message; it says nothing about the sensor.
        const error: TopicError = { code: result.code, message: result.message, at };
        enqueue({ kind: "error", topic, room, measurement, error });
      }
      return;
    }
    const update = messageUpdate(topic, parsed, routed, payload, at, retained);
    if (update) enqueue(update);
  }

  function seed(readings: readonly Reading[]): void {
    queueSeedReadings(pending, readings);
    flush();
  }

  function seedStates(states: readonly LastState[]): void {
    queueSeedStates(pending, states);
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

    const draftFor = (topic: string, room: string, measurement: string, name: string | null = null): TopicDraft => {
      let draft = drafts.get(topic);
      if (draft) return draft;
      const base = removedTopics.has(topic) ? undefined : topics.get(topic);
      removedTopics.delete(topic);
      if (!base) roomIndex.add(room, "topics", topic);
      draft = openDraft(topic, room, measurement, name, base);
      drafts.set(topic, draft);
      return draft;
    };

    const ctx: FlushContext = {
      now: now(),
      sensorDraft: (key, room, measurement, name) => {
        const draft = draftFor(key, room, measurement, name);
        if (draft.room !== room) {
          roomIndex.remove(draft.room, "topics", key);
          roomIndex.add(room, "topics", key);
          draft.room = room;
        }
        return draft;
      },
      removeSensor: (key, room) => {
        drafts.delete(key);
        removedTopics.add(key);
        roomIndex.remove(room, "topics", key);
      },
      device: (key) => (changedDevices.has(key) ? (changedDevices.get(key) ?? undefined) : devices.get(key)),
      setDevice: (key, snapshot, room) => {
        const existed = ctx.device(key) !== undefined;
        changedDevices.set(key, snapshot);
        if (snapshot === null) roomIndex.remove(room, "devices", key);
        else if (!existed) roomIndex.add(room, "devices", key);
      },
      warnUnreadable,
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
          // A gateway's own status that never carried a reading is no sensor (review-10 F10: OpenMQTTGateway's home/<gateway>/LWT);
          // any other topic is one, so a new sensor that sends text shows why it has no reading (review-13 F5).
          if (!drafts.has(update.topic) && !topics.has(update.topic) && isGatewayStatus(update.measurement)) break;
          warnUnreadable(update.topic, update.error);
          draftFor(update.topic, update.room, update.measurement).error = update.error;
          break;
        }
        default:
          registry.apply(ctx, update);
          break;
      }
    }
    registry.settle(ctx);

    for (const topic of removedTopics) topics.delete(topic);
    for (const draft of drafts.values()) topics.set(draft.topic, commitDraft(draft, maxPoints));
    for (const [key, device] of changedDevices) {
      if (device) devices.set(key, device);
      else devices.delete(key);
    }
    const roomsChanged = roomIndex.commit();
    const subscriptionsChanged = scopes.refresh();

    // Listeners run after every change is committed, so each sees a consistent store.
    for (const topic of drafts.keys()) notify(topicListeners.get(topic));
    for (const topic of removedTopics) notify(topicListeners.get(topic));
    for (const key of changedDevices.keys()) notify(deviceListeners.get(key));
    if (roomsChanged) notify(roomListeners);
    if (subscriptionsChanged) scopes.notify();
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
    seedStates,
    setDeviceConfig,
    flush,
    getTopic: (topic) => topics.get(topic),
    getRooms: roomIndex.rooms,
    getDevice: (key) => devices.get(key),
    getConnection: () => connection,
    getSubscriptions: scopes.subscriptions,
    watch: scopes.watch,
    setConnection,
    subscribeTopic: (topic, listener) => addListener(topicListeners, topic, listener),
    subscribeDevice: (key, listener) => addListener(deviceListeners, key, listener),
    subscribeRooms: listenTo(roomListeners),
    subscribeConnection: listenTo(connectionListeners),
    subscribeSubscriptions: scopes.subscribe,
  };
}

// The browser's live state: every MQTT message under `home/` lands here, is parsed
// once, and is published to React as immutable per-topic snapshots. Framework-free
// so it is tested in node; components read it through useSyncExternalStore hooks.
//
// Messages are queued and applied in one flush per animation frame: a burst of a
// hundred messages costs one render of each tile that changed, not a hundred.
import { parseReading, type Reading, type UnreadableCode } from "./readings";
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
  readonly topic: string;
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
  /** Device ids, sorted; look each up with `deviceKey(room, device)`. */
  readonly devices: readonly string[];
};

export type Availability = "online" | "offline";

export type DeviceSnapshot = {
  readonly room: string;
  readonly device: string;
  /** The device's last `…/state` payload (`ON`, `OFF`, …), trimmed. */
  readonly state: string | null;
  readonly availability: Availability | null;
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

/** The key of a device in the store: `attic/fan`. */
export function deviceKey(room: string, device: string): string {
  return `${room}/${device}`;
}

/** A state or availability payload is a word; anything longer is not one. */
const MAX_STATUS_BYTES = 64;
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
  | { kind: "state"; room: string; device: string; state: string }
  | { kind: "availability"; room: string; device: string; availability: Availability };

/** A topic being changed within one flush: copied once, however many updates it gets. */
type TopicDraft = {
  topic: string;
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

  function warnUnreadable(topic: string, error: TopicError): void {
    const last = lastWarned.get(topic);
    if (last !== undefined && error.at - last < WARN_INTERVAL_MS) return;
    lastWarned.set(topic, error.at);
    console.warn(`hearth: unreadable payload on ${topic} (${error.code}): ${error.message}`);
  }

  function ingest(topic: string, payload: Uint8Array, ingestOptions: IngestOptions = {}): void {
    const parsed = parseHomeTopic(topic);
    if (!parsed) return;
    if (parsed.kind === "measurement") {
      const { room, measurement } = parsed;
      const at = now();
      const result = parseReading(topic, room, measurement, payload, at);
      if (result.ok) {
        const pointAt = ingestOptions.retained ? null : at;
        enqueue({ kind: "reading", topic, room, measurement, reading: result.reading, pointAt, seeded: false });
      } else if (result.code !== "empty") {
        // An empty payload clears a retained message; it says nothing about the sensor.
        const error: TopicError = { code: result.code, message: result.message, at };
        warnUnreadable(topic, error);
        enqueue({ kind: "error", topic, room, measurement, error });
      }
      return;
    }
    if (parsed.kind === "set") return; // commands, not state
    const text = decodeStatus(payload);
    if (text === null) return;
    const { room, device } = parsed;
    if (parsed.kind === "state") {
      enqueue({ kind: "state", room, device, state: text });
      return;
    }
    const availability = text.toLowerCase();
    if (availability === "online" || availability === "offline") {
      enqueue({ kind: "availability", room, device, availability });
    }
  }

  function seed(readings: readonly Reading[]): void {
    for (const reading of readings) {
      const { topic, room, measurement } = reading;
      pending.push({ kind: "reading", topic, room, measurement, reading, pointAt: null, seeded: true });
    }
    flush();
  }

  function flush(): void {
    cancelFlush?.();
    cancelFlush = null;
    if (pending.length === 0) return;
    const updates = pending;
    pending = [];

    const drafts = new Map<string, TopicDraft>();
    const changedDevices = new Map<string, DeviceSnapshot>();
    const changedRooms = new Set<string>();

    const roomEntry = (room: string): RoomEntry => {
      let entry = roomEntries.get(room);
      if (!entry) {
        roomEntries.set(room, (entry = { topics: new Set(), devices: new Set() }));
        changedRooms.add(room);
      }
      return entry;
    };

    const draftFor = (topic: string, room: string, measurement: string): TopicDraft => {
      let draft = drafts.get(topic);
      if (draft) return draft;
      const base = topics.get(topic);
      if (!base) {
        roomEntry(room).topics.add(topic);
        changedRooms.add(room);
      }
      draft = {
        topic,
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

    const deviceFor = (room: string, device: string): [string, DeviceSnapshot] => {
      const key = deviceKey(room, device);
      const current = changedDevices.get(key) ?? devices.get(key);
      if (current) return [key, current];
      roomEntry(room).devices.add(device);
      changedRooms.add(room);
      return [key, { room, device, state: null, availability: null }];
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
        case "state": {
          const [key, current] = deviceFor(update.room, update.device);
          if (current.state !== update.state) changedDevices.set(key, { ...current, state: update.state });
          break;
        }
        case "availability": {
          const [key, current] = deviceFor(update.room, update.device);
          if (current.availability !== update.availability) {
            changedDevices.set(key, { ...current, availability: update.availability });
          }
          break;
        }
      }
    }

    for (const draft of drafts.values()) {
      let points = draft.points;
      if (draft.added.length > 0) {
        points = points.concat(draft.added);
        if (points.length > maxPoints) points = points.slice(-maxPoints);
      }
      topics.set(draft.topic, {
        topic: draft.topic,
        room: draft.room,
        measurement: draft.measurement,
        reading: draft.reading,
        error: draft.error,
        points,
      });
    }
    for (const [key, device] of changedDevices) devices.set(key, device);
    if (changedRooms.size > 0) {
      for (const room of changedRooms) {
        const entry = roomEntries.get(room)!;
        roomSummaries.set(room, {
          room,
          label: labelFromLevel(room),
          topics: [...entry.topics].sort(),
          devices: [...entry.devices].sort(),
        });
      }
      rooms = [...roomSummaries.values()].sort(byLabel);
    }

    // Listeners run after every change is committed, so each sees a consistent store.
    for (const topic of drafts.keys()) notify(topicListeners.get(topic));
    for (const key of changedDevices.keys()) notify(deviceListeners.get(key));
    if (changedRooms.size > 0) notify(roomListeners);
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

  return {
    ingest,
    seed,
    flush,
    getTopic: (topic) => topics.get(topic),
    getRooms: () => rooms,
    getDevice: (key) => devices.get(key),
    getConnection: () => connection,
    setConnection,
    subscribeTopic: (topic, listener) => addListener(topicListeners, topic, listener),
    subscribeDevice: (key, listener) => addListener(deviceListeners, key, listener),
    subscribeRooms: (listener) => {
      roomListeners.add(listener);
      return () => {
        roomListeners.delete(listener);
      };
    },
    subscribeConnection: (listener) => {
      connectionListeners.add(listener);
      return () => {
        connectionListeners.delete(listener);
      };
    },
  };
}

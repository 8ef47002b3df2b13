// The recorder: every reading published on home/<room>/<measurement> goes into the
// history store, and so does every other topic whose payload is a number (issue 6:
// every numeric topic is kept, with no per-sensor opt-in), a plain-numeric discovered
// sensor among them, once, under its topic. Readings are buffered and written in groups, so a burst of
// messages costs one transaction instead of one each, and a slow or failing store
// never blocks message delivery: the bus handler only parses and buffers.
//
// "Acknowledged means stored" (issue 12): each reading's handler returns a promise that
// resolves when the transaction holding it has committed, and the broker sends the
// PUBACK / PUBREC only after it. So a group is written at once, at setImmediate (every
// reading that arrived in this turn of the event loop), not on a 250 ms timer; only a
// QoS 0 message's reading, which nobody waits on, may wait up to 100 ms for company in
// the hub's grouping store (appendLazily, broker/mqtt/write-group.ts). A
// failing store makes the acknowledgement WAIT: the reading stays pending and is
// retried with back-off, and its promise resolves when a retry commits it. It fails
// (rejects with code "reading-not-stored") only when the reading can no longer be
// stored: dropped from the bounded buffer, or still unwritten when the recorder stops.
// It is never resolved for a reading that was not committed.
import type { AckSlot } from "../lib/ack-slot";
import { deferred, type Deferred } from "../lib/deferred";
import { HISTORY_BACKLOG_FULL, HISTORY_REFUSED, HistoryPartlyRefused, type HistoryStore } from "../lib/history/store";
import { createLogger, type Logger } from "../lib/log";
import type { Reading } from "../lib/readings";
import { parseHomeTopic } from "../lib/topics";
import type { Bus, BusMessage } from "./bus";
import { replayIsNew } from "./replayed-reading";
import { createLogPace } from "./log-pace";

export type RecorderOptions = {
  /**
   * The longest a reading waits in the buffer before it is written. 0 (the default):
   * at setImmediate, with every reading that arrived in the same turn of the event loop.
   */
  flushIntervalMs?: number;
  /** A buffer this full is written at once, without waiting for the interval. */
  maxBatch?: number;
  log?: Logger;
  /** Paces the unreadable-payload warnings. (Readings are stamped with the message's receivedAt.) */
  now?: () => number;
  /**
   * The unit a device declared for readings on this topic (a discovered sensor's
   * unit_of_measurement): it wins over the topic's own; null: none.
   */
  declaredUnit?: (topic: string) => string | null;
};

export type RecorderStats = {
  /** Readings written to the store. */
  recorded: number;
  /** Payloads on measurement topics that were not readings (empty ones are not counted). */
  unreadable: number;
  /** Readings waiting to be written. */
  pending: number;
};

export type Recorder = {
  /**
   * Writes every reading received so far. Never rejects: a failed write is logged,
   * and its readings stay pending for the next try.
   */
  flush(): Promise<void>;
  /** Unsubscribes, stops the timer and writes what is pending. */
  stop(): Promise<void>;
  stats(): RecorderStats;
  /**
   * Buffers a reading parsed elsewhere (a discovered sensor's, issue 5), to be written with
   * the rest. Resolves when it is committed; rejects with ReadingNotStored if it never will be.
   * `message`: the one it was read from, when that was a retained copy sent again on subscribe.
   */
  record(reading: Reading, message?: BusMessage): Promise<void>;
};

/** A reading that will not be in history: its message must not be acknowledged as stored. */
export class ReadingNotStored extends Error {
  readonly code = "reading-not-stored";
  constructor(readonly reason: "dropped" | "stopped" | "refused") {
    super(
      reason === "dropped"
        ? "the history store fell behind and this reading was dropped"
        : reason === "refused"
          ? "the history database refused this reading"
          : "the recorder stopped before this reading could be written",
    );
    this.name = "ReadingNotStored";
  }
}

/** Readings that share one promise: a waited-for reading alone, or the QoS 0 readings of one turn. */
type Group = Deferred & { unwritten: number };

/** While the store fails, readings wait in memory up to this many batches, then the oldest go. */
const MAX_PENDING_BATCHES = 10;

/** Retries of a failing store back off, doubling from the flush interval (at least this)… */
const MIN_RETRY_DELAY_MS = 50;
/** …up to this. */
const MAX_RETRY_DELAY_MS = 30_000;

/** An unreadable payload is logged at most once per topic in this window. */
const UNREADABLE_LOG_WINDOW_MS = 60_000;

/** How many topics the log throttle remembers; a device spraying random topics cannot grow it further. */
const MAX_THROTTLED_TOPICS = 1024;

export async function startRecorder(
  bus: Bus,
  store: HistoryStore,
  opts: RecorderOptions = {},
): Promise<Recorder> {
  const { flushIntervalMs = 0, maxBatch = 1000, log = createLogger("recorder"), now = Date.now, declaredUnit = () => null } = opts;
  // A batch of 0 would never drain the buffer.
  if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) {
    throw new RangeError(`recorder: maxBatch must be a whole number of at least 1, got ${maxBatch}`);
  }
  const maxPending = maxBatch * MAX_PENDING_BATCHES;
  const throttle = createLogThrottle(UNREADABLE_LOG_WINDOW_MS, MAX_THROTTLED_TOPICS);

  let pending: Reading[] = [];
  /** The group of each pending reading, index for index. */
  let groupOf: Group[] = [];
  /** The group new readings join; a write that takes readings closes it. */
  let open: Group | null = null;
  let writing: Promise<void> | null = null;
  let timer: { cancel(): void } | null = null;
  /** Consecutive failed writes; while above 0 only the (backed-off) timer retries. */
  let failures = 0;
  /** Readings dropped for want of room and not yet reported in the log. */
  let dropped = 0;
  let stopped = false;
  let recorded = 0;
  let unreadable = 0;
  /** Readings handed to a grouping store and not yet committed (appendNow). */
  let inStore = 0;
  /** The QoS 0 readings handed to a grouping store that share its promise `written` (appendLazily). */
  let lazyBatch: { written: Promise<void>; count: number } | null = null;

  /**
   * The message's reading (lib/bus-message.ts readingOf, parsed once for every
   * service), and a promise for it (see the top of the file); undefined for a message
   * that holds none. A topic outside the home convention is kept when its payload
   * reads as a number; anything else there is skipped without a word, since most such
   * topics carry JSON state or text.
   */
  function onMessage(message: BusMessage): Promise<void> | undefined {
    if (stopped) return;
    const result = message.reading;
    if (result === null) return;
    if (result.ok) {
      const unit = declaredUnit(message.topic);
      const reading = unit === null ? result.reading : { ...result.reading, unit };
      if (message.replayed === true) return recordReplayed(reading, message);
      if (!store.groupsAppends) return message.qos === 0 ? enqueue(reading, true) : enqueue(reading);
      // A QoS 0 message's reading has no acknowledgement waiting on it: it may join a later group.
      if (message.qos === 0) return appendLazily(reading);
      // Its acknowledgement waits for the commit of the very group the reading joins: no promise of its own.
      if (message.ackSlot !== undefined) return appendInGroup(reading, message.ackSlot);
      return appendNow(reading);
    }
    const { topic } = message;
    if (parseHomeTopic(topic)?.kind !== "measurement") return;
    if (result.code === "empty") {
      // An empty retained message is how MQTT clears a retained value: not a reading, not an error.
      log.debug("ignored empty payload", { topic });
      return;
    }
    unreadable++;
    const suppressed = throttle(topic, now());
    if (suppressed !== null) {
      log.warn("unreadable reading", { topic, code: result.code, message: result.message, suppressed: suppressed || undefined });
    }
  }

  /** A retained copy the upstream broker sent because Hearth subscribed: recorded only when history lacks it (replayed-reading.ts). */
  async function recordReplayed(reading: Reading, message: BusMessage): Promise<void> {
    // A history that cannot say (its database away): recorded, as before; a duplicate row beats a lost one.
    const isNew = await replayIsNew(store, reading, message.receivedAt).catch(() => true);
    if (isNew) return message.qos === 0 ? void enqueue(reading, true) : enqueue(reading);
    log.debug("skipped a retained reading history already holds", { code: "replayed-reading-held", topic: reading.topic });
  }

  /** `shared`: nobody waits on it (QoS 0), so it may share its turn's group; a waited-for reading gets its own, so a refusal fails it alone. */
  function enqueue(reading: Reading, shared = false): Promise<void> {
    if (store.groupsAppends) return appendNow(reading);
    const group = shared ? (open ??= createGroup()) : createGroup();
    group.unwritten++;
    pending.push(reading);
    groupOf.push(group);
    trimPending();
    if (pending.length >= maxBatch && writing === null && failures === 0) {
      void flush();
    } else {
      schedule();
    }
    return group.promise;
  }

  /**
   * A store that groups appends itself (SQLite history sharing the broker's write group,
   * broker/hub-stores.ts) gets each reading now, in the turn its message arrived, so its
   * row commits in the same transaction as the broker's state for that message (issue 12).
   * The store buffers, retries a failing write, and bounds its backlog.
   */
  function appendNow(reading: Reading): Promise<void> {
    inStore++;
    // No catch of its own (a promise fewer per QoS 1 reading, issue 12): from the bus, whoever
    // acknowledges the message waits on it (the broker's ack gate, the upstream bus's acks);
    // record() adds one for its callers.
    return store.append([reading]).then(appended, (error: Error & { code?: string }) => {
      inStore--;
      throw notStored(error, 1, reading.topic);
    });
  }

  function appended(): void {
    inStore--;
    recorded++;
  }

  /**
   * A QoS 0 message's reading, for a grouping store: nobody waits on it, so the store may
   * write it a little later with others (broker/mqtt/write-group.ts), and it gets no
   * promise of its own (a QoS 0 stream is the hub's hottest path). The store's promise
   * for its group (one per group) counts the group's readings once it settles.
   */
  function appendLazily(reading: Reading): undefined {
    countInGroup(store.append([reading], { lazy: true }));
    return undefined;
  }

  /**
   * A client's QoS 1/2 reading on Hearth's own broker (lib/ack-slot.ts): its PUBACK waits for
   * the commit of the broker's write group, which is the group this reading joins, and reads
   * the slot the store writes a refusal into; so, as a QoS 0 reading, it gets no promise.
   */
  function appendInGroup(reading: Reading, ackSlot: AckSlot): undefined {
    countInGroup(store.append([reading], { ackSlot }));
    return undefined;
  }

  /** Counts a reading on its group's one promise (the store's, shared by every such reading of the group). */
  function countInGroup(written: Promise<void>): void {
    inStore++;
    if (lazyBatch?.written !== written) {
      const batch = (lazyBatch = { written, count: 0 });
      written.then(
        () => {
          inStore -= batch.count;
          recorded += batch.count;
        },
        (error: Error & { code?: string }) => {
          inStore -= batch.count;
          notStored(error, batch.count);
        },
      );
    }
    lazyBatch.count++;
  }

  // Dropped readings are logged at once, then at most one line with their count per 10 s (log-pace.ts, review-7 F8).
  const backlogFullLog = createLogPace(10_000);

  /** Why readings the store refused will never be stored; a full backlog is logged now and then. */
  function notStored(error: Error & { code?: string }, count: number, topic?: string): ReadingNotStored {
    const reason = error.code === HISTORY_BACKLOG_FULL ? "dropped" : error.code === HISTORY_REFUSED ? "refused" : "stopped";
    if (reason === "dropped") {
      backlogFullLog(count, (n) => log.error("history store fell behind; dropping new readings", { code: HISTORY_BACKLOG_FULL, dropped: n }));
      dropped += count;
    }
    // A refusal is the reading's own data (review-5 #2): logged per topic, throttled like unreadable payloads.
    if (reason === "refused" && throttle(topic ?? "(grouped QoS 0 readings)", now()) !== null) {
      log.error("the history database refused a reading", { code: HISTORY_REFUSED, topic, readings: count, error: error.message });
    }
    return new ReadingNotStored(reason);
  }

  /** Keeps the newest readings when the buffer is over its bound: they are what the dashboard shows. */
  function trimPending(): void {
    const excess = pending.length - maxPending;
    if (excess <= 0) return;
    pending.splice(0, excess);
    failGroups(groupOf.splice(0, excess), new ReadingNotStored("dropped"));
    dropped += excess;
  }

  /** A group with a reading that will never be stored fails as a whole: none of its messages is acknowledged as stored. */
  function failGroups(groups: Group[], error: ReadingNotStored): void {
    for (const group of new Set(groups)) {
      group.reject(error);
      if (group === open) open = null;
    }
  }

  function schedule(): void {
    if (timer !== null || stopped || pending.length === 0) return;
    const run = () => {
      timer = null;
      void flush();
    };
    if (failures === 0 && flushIntervalMs === 0) {
      const immediate = setImmediate(run);
      timer = { cancel: () => clearImmediate(immediate) };
      return;
    }
    const retryDelay = Math.max(flushIntervalMs, MIN_RETRY_DELAY_MS) * 2 ** failures;
    const timeout = setTimeout(run, failures === 0 ? flushIntervalMs : Math.min(retryDelay, MAX_RETRY_DELAY_MS));
    timer = { cancel: () => clearTimeout(timeout) };
  }

  function clearTimer(): void {
    timer?.cancel();
    timer = null;
  }

  async function flush(): Promise<void> {
    // One write at a time; the one in flight may already have taken our readings.
    while (writing !== null) await writing;
    if (pending.length === 0) return;
    writing = writePending();
    try {
      await writing;
    } finally {
      writing = null;
    }
    // A timer armed during the write is stale: re-arm for what is still pending (a failed
    // write's readings), at the delay the failure count now calls for.
    clearTimer();
    schedule();
  }

  /** Writes batches until the buffer is empty (readings arriving meanwhile included) or a write fails. */
  async function writePending(): Promise<void> {
    while (pending.length > 0) {
      const batch = pending.splice(0, maxBatch);
      const batchGroups = groupOf.splice(0, maxBatch);
      // Readings arriving while this batch is written form the next group.
      open = null;
      try {
        await store.append(batch);
      } catch (error) {
        if (error instanceof HistoryPartlyRefused) {
          settlePartly(batch, batchGroups, error.refused);
          continue;
        }
        failures++;
        pending = batch.concat(pending);
        groupOf = batchGroups.concat(groupOf);
        trimPending();
        log.error("history write failed; keeping the readings for the next try", {
          count: batch.length,
          pending: pending.length,
          dropped: takeDropped() || undefined,
          error: error instanceof Error ? error.message : String(error),
        });
        return;
      }
      failures = 0;
      recorded += batch.length;
      for (const group of batchGroups) if (--group.unwritten === 0) group.resolve();
    }
    if (dropped > 0) {
      log.error("history store fell behind; dropped the oldest readings", { dropped: takeDropped() });
    }
  }

  /** The store wrote the batch but for the readings the database refused (their own data): those alone fail, never retried. */
  function settlePartly(batch: Reading[], groups: Group[], refused: ReadonlyMap<number, Error>): void {
    failures = 0;
    recorded += batch.length - refused.size;
    for (const [i, cause] of refused) groups[i].reject(notStored({ name: "HistoryRefused", code: HISTORY_REFUSED, message: cause.message }, 1, batch[i].topic));
    for (const [i, group] of groups.entries()) if (!refused.has(i) && --group.unwritten === 0) group.resolve();
  }

  function takeDropped(): number {
    const count = dropped;
    dropped = 0;
    return count;
  }

  const unsubscribe = await bus.subscribe("#", onMessage);
  let stopping: Promise<void> | null = null;

  return {
    flush,
    stop() {
      stopping ??= (async () => {
        stopped = true;
        await unsubscribe();
        clearTimer();
        await flush();
        // Still pending: the store failed to the end. Their messages must not be acknowledged.
        failGroups(groupOf, new ReadingNotStored("stopped"));
      })();
      return stopping;
    },
    stats: () => ({ recorded, unreadable, pending: pending.length + inStore }),
    record(reading, message) {
      if (!stopped) {
        const written = message?.replayed === true ? recordReplayed(reading, message) : enqueue(reading);
        written.catch(() => {}); // a caller that does not wait must not crash the hub
        return written;
      }
      const refused = Promise.reject(new ReadingNotStored("stopped"));
      refused.catch(() => {}); // a caller that does not wait must not crash the hub
      return refused;
    },
  };
}

function createGroup(): Group {
  const group = { ...deferred(), unwritten: 0 };
  // A QoS 0 message's reading has nobody waiting on it; its failure is logged, not thrown.
  group.promise.catch(() => {});
  return group;
}

/**
 * Paces a per-topic warning: the first in each window is written, the rest are
 * counted. Returns null to stay quiet, else how many were held back since the last
 * line, so a device stuck publishing garbage cannot drown the log.
 */
function createLogThrottle(windowMs: number, maxTopics: number): (topic: string, at: number) => number | null {
  // Insertion order is last-logged order: the first entry is the stalest.
  const lastLogged = new Map<string, { at: number; suppressed: number }>();
  return (topic, at) => {
    const entry = lastLogged.get(topic);
    if (entry !== undefined && at - entry.at < windowMs) {
      entry.suppressed++;
      return null;
    }
    lastLogged.delete(topic);
    if (lastLogged.size >= maxTopics) {
      // Full: forget the stalest topic, and with it its count of held-back lines.
      lastLogged.delete(lastLogged.keys().next().value!);
    }
    lastLogged.set(topic, { at, suppressed: 0 });
    return entry?.suppressed ?? 0;
  };
}

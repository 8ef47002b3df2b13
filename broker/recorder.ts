// The recorder: every reading published on home/<room>/<measurement> goes into the
// history store, and so does every other topic whose payload is a number (issue 6:
// every numeric topic is kept, with no per-sensor opt-in), a plain-numeric discovered
// sensor among them, once, under its topic. Readings are buffered and written in batches, so a burst of
// messages costs one transaction instead of one each, and a slow or failing store
// never blocks message delivery: the bus handler only parses and buffers.
import type { HistoryStore } from "../lib/history/store";
import { createLogger, type Logger } from "../lib/log";
import type { Reading } from "../lib/readings";
import { parseHomeTopic } from "../lib/topics";
import type { Bus, BusMessage } from "./bus";

export type RecorderOptions = {
  /** The longest a reading waits in the buffer before it is written. */
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
  /** Buffers a reading parsed elsewhere (a discovered sensor's, issue 5), to be written with the rest. */
  record(reading: Reading): void;
};

/** While the store fails, readings wait in memory up to this many batches, then the oldest go. */
const MAX_PENDING_BATCHES = 10;

/** Retries of a failing store back off, doubling from the flush interval up to this. */
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
  const { flushIntervalMs = 250, maxBatch = 1000, log = createLogger("recorder"), now = Date.now, declaredUnit = () => null } = opts;
  // A batch of 0 would never drain the buffer.
  if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) {
    throw new RangeError(`recorder: maxBatch must be a whole number of at least 1, got ${maxBatch}`);
  }
  const maxPending = maxBatch * MAX_PENDING_BATCHES;
  const throttle = createLogThrottle(UNREADABLE_LOG_WINDOW_MS, MAX_THROTTLED_TOPICS);

  let pending: Reading[] = [];
  let writing: Promise<void> | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  /** Consecutive failed writes; while above 0 only the (backed-off) timer retries. */
  let failures = 0;
  /** Readings dropped for want of room and not yet reported in the log. */
  let dropped = 0;
  let stopped = false;
  let recorded = 0;
  let unreadable = 0;

  /**
   * The message's reading (lib/bus-message.ts readingOf, parsed once for every
   * service). A topic outside the home convention is kept when its payload reads as
   * a number; anything else there is skipped without a word, since most such topics
   * carry JSON state or text.
   */
  function onMessage(message: BusMessage): void {
    if (stopped) return;
    const result = message.reading;
    if (result === null) return;
    if (result.ok) {
      const unit = declaredUnit(message.topic);
      enqueue(unit === null ? result.reading : { ...result.reading, unit });
      return;
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

  function enqueue(reading: Reading): void {
    pending.push(reading);
    trimPending();
    if (pending.length >= maxBatch && writing === null && failures === 0) {
      void flush();
    } else {
      schedule();
    }
  }

  /** Keeps the newest readings when the buffer is over its bound: they are what the dashboard shows. */
  function trimPending(): void {
    const excess = pending.length - maxPending;
    if (excess <= 0) return;
    pending.splice(0, excess);
    dropped += excess;
  }

  function schedule(): void {
    if (timer !== null || stopped || pending.length === 0) return;
    const delay = failures === 0 ? flushIntervalMs : Math.min(flushIntervalMs * 2 ** failures, MAX_RETRY_DELAY_MS);
    timer = setTimeout(() => {
      timer = null;
      void flush();
    }, delay);
  }

  function clearTimer(): void {
    if (timer === null) return;
    clearTimeout(timer);
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
      try {
        await store.append(batch);
      } catch (error) {
        failures++;
        pending = batch.concat(pending);
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
    }
    if (dropped > 0) {
      log.error("history store fell behind; dropped the oldest readings", { dropped: takeDropped() });
    }
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
      })();
      return stopping;
    },
    stats: () => ({ recorded, unreadable, pending: pending.length }),
    record(reading) {
      if (!stopped) enqueue(reading);
    },
  };
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

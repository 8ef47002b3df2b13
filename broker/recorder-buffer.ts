// The recorder's own buffer, for a history store that does not group appends itself
// (PostgreSQL; SQLite shares the broker's write group instead, broker/recorder.ts).
// Readings wait here and are written in batches, so a burst of messages costs one
// transaction instead of one each. A batch is written at setImmediate (every reading that
// arrived in this turn of the event loop), or after `flushIntervalMs`.
//
// "Acknowledged means stored" (issue 12): each reading's promise resolves when the write
// holding it has committed. A failing store makes the acknowledgement WAIT: the readings
// stay pending and are retried with back-off. The promise rejects (ReadingNotStored) only
// when the reading can no longer be stored: dropped from the bounded buffer, refused by
// the database for its own data, or still unwritten when the buffer stops.
import { deferred, type Deferred } from "../lib/deferred";
import { HistoryPartlyRefused, type HistoryStore } from "../lib/history/store";
import type { Logger } from "../lib/log";
import type { Reading } from "../lib/readings";
import { ReadingNotStored } from "./reading-not-stored";

export type ReadingBuffer = {
  /**
   * Buffers a reading; resolves when it is committed. `shared`: nobody waits on it (QoS 0),
   * so it may share its turn's group; a waited-for reading gets its own, so a refusal fails it alone.
   */
  enqueue(reading: Reading, shared?: boolean): Promise<void>;
  /** Writes every reading buffered so far. Never rejects: a failed write is logged, and its readings stay pending. */
  flush(): Promise<void>;
  /** Stops the timer, writes what is pending and fails whatever the store still would not take. */
  stop(): Promise<void>;
  /** Readings waiting to be written. */
  pending(): number;
};

export type ReadingBufferOptions = {
  flushIntervalMs: number;
  maxBatch: number;
  log: Logger;
  /** `count` readings committed. */
  recorded(count: number): void;
  /** The database refused this reading for its own data: how it is reported (logged, throttled per topic). */
  refused(cause: Error, topic: string): ReadingNotStored;
};

/** Readings that share one promise: a waited-for reading alone, or the QoS 0 readings of one turn. */
type Group = Deferred & { unwritten: number };

/** While the store fails, readings wait in memory up to this many batches, then the oldest go. */
const MAX_PENDING_BATCHES = 10;

/** Retries of a failing store back off, doubling from the flush interval (at least this)… */
const MIN_RETRY_DELAY_MS = 50;
/** …up to this. */
const MAX_RETRY_DELAY_MS = 30_000;

export function createReadingBuffer(store: HistoryStore, opts: ReadingBufferOptions): ReadingBuffer {
  const { flushIntervalMs, maxBatch, log } = opts;
  const maxPending = maxBatch * MAX_PENDING_BATCHES;

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

  function enqueue(reading: Reading, shared = false): Promise<void> {
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
      opts.recorded(batch.length);
      for (const group of batchGroups) if (--group.unwritten === 0) group.resolve();
    }
    if (dropped > 0) {
      log.error("history store fell behind; dropped the oldest readings", { dropped: takeDropped() });
    }
  }

  /** The store wrote the batch but for the readings the database refused (their own data): those alone fail, never retried. */
  function settlePartly(batch: Reading[], groups: Group[], refused: ReadonlyMap<number, Error>): void {
    failures = 0;
    opts.recorded(batch.length - refused.size);
    for (const [i, cause] of refused) groups[i].reject(opts.refused(cause, batch[i].topic));
    for (const [i, group] of groups.entries()) if (!refused.has(i) && --group.unwritten === 0) group.resolve();
  }

  function takeDropped(): number {
    const count = dropped;
    dropped = 0;
    return count;
  }

  return {
    enqueue,
    flush,
    async stop() {
      stopped = true;
      clearTimer();
      await flush();
      // Still pending: the store failed to the end. Their messages must not be acknowledged.
      failGroups(groupOf, new ReadingNotStored("stopped"));
    },
    pending: () => pending.length,
  };
}

function createGroup(): Group {
  const group = { ...deferred(), unwritten: 0 };
  // A QoS 0 message's reading has nobody waiting on it; its failure is logged, not thrown.
  group.promise.catch(() => {});
  return group;
}

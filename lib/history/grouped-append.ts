// The SQLite history store's appends in the hub's write groups (sqlite-store.ts with
// `groups`, broker/hub-stores.ts): readings are buffered for the next group and written by
// one change, so a group costs one roll-up upsert per topic and minute whatever its size.
import type { AckSlot } from "../ack-slot";
import { deferred, type Deferred } from "../deferred";
import type { Reading } from "../readings";
import type { Isolate } from "../sqlite";
import type { TopicRow } from "./sqlite-reads";
import type { HistoryGroups } from "./sqlite-store";
import { HISTORY_BACKLOG_FULL, HISTORY_REFUSED } from "./store";

/** Readings waiting for a write past this are refused (HISTORY_BACKLOG_FULL). */
const MAX_BACKLOG = 10_000;

/** Lazy readings (nobody waits: QoS 0) wait for the group's timer only up to this many; then the group is written at once. */
const LAZY_BATCH = 1000;

/**
 * Readings buffered for the next write group: one change (one key) writes them all, so
 * a group costs one roll-up upsert per topic and minute whatever its size; the buffer
 * empties, and its waiters settle, only when the transaction has committed.
 *
 * An append someone waits on gets a promise of its own, unless it comes with an ack slot
 * (a client's QoS 1/2 reading on Hearth's own broker, whose PUBACK waits for this same
 * group's commit: lib/ack-slot.ts). The others — lazy ones (QoS 0, nobody waits) and those
 * with a slot — share one promise per buffer, and the lazy ones add no object per reading
 * while they follow each other: these are the hub's hottest paths (issue 12).
 *
 * When the groups write change by change after a refusal (review-5 #2), each append's
 * readings (each lazy reading) get a savepoint of their own: what the database refuses
 * fails alone, with HISTORY_REFUSED (in its own promise, or its slot), and every other
 * reading of the group is stored.
 */
export function createGroupedAppend(
  groups: HistoryGroups,
  insertRows: (readings: readonly Reading[]) => Map<string, TopicRow>,
  cache: (touched: Map<string, TopicRow>) => void,
) {
  type Append = { start: number; count: number; waiter: Deferred; lazy: boolean; slot: AckSlot | null };
  let buffer: Reading[] = [];
  /** In order: an entry's readings are buffer[start, start + count). */
  let appends: Append[] = [];
  /** The shared promise of this buffer's lazy appends and appends with a slot; made by the first of them. */
  let shared: Deferred | null = null;
  let touched: Map<string, TopicRow> | null = null;
  /** Whose readings the database refused in the write now committing (an own waiter, a slot, or `shared` for lazy ones), with why. */
  let refused = new Map<Deferred | AckSlot, Error>();
  let closed = false;
  /**
   * The buffer's change is in the groups (and whether as urgent): it is handed over again
   * only when that changes, not once per reading (each hand-over moved the key to the end
   * of the groups' Map: ~150 B of garbage a reading). Cleared when the groups take it to
   * write: should that write fail, handing it over again replaces it, harmlessly.
   */
  let queued = false;
  let queuedUrgent = false;
  const apply = (isolate: Isolate | null) => {
    queued = false;
    if (refused.size > 0) refused = new Map();
    if (isolate === null) {
      touched = insertRows(buffer);
      return;
    }
    const kept = (touched = new Map());
    const insertApart = (whose: Deferred | AckSlot, readings: readonly Reading[]) => {
      let rows: Map<string, TopicRow> | null = null;
      const error = isolate(() => {
        rows = insertRows(readings);
      });
      if (error !== null) refused.set(whose, error);
      else for (const [topic, row] of rows!) kept.set(topic, row);
    };
    for (const { start, count, waiter, lazy, slot } of appends) {
      if (!lazy) insertApart(slot ?? waiter, buffer.slice(start, start + count));
      else for (let i = start; i < start + count; i++) insertApart(waiter, [buffer[i]]);
    }
  };
  const refusal = (error: Error) =>
    Object.assign(new Error(`history: the database refused these readings: ${error.message}`, { cause: error }), { code: HISTORY_REFUSED });
  const settle = (waiter: Deferred) => {
    const error = refused.get(waiter);
    if (error === undefined) waiter.resolve();
    else waiter.reject(refusal(error));
  };
  /** Why an append is refused before it joins the buffer; null: it may. */
  const refuseAppend = (readings: readonly Reading[]): Error | null => {
    if (closed) return new Error("history store: append after close");
    // Checked here, not in the transaction: a bad value must fail its own append, never the whole group.
    // Indexed loops: an iterator per append was garbage on the hub's hottest path (issue 12).
    for (let i = 0; i < readings.length; i++) {
      const r = readings[i];
      if (!Number.isFinite(r.value)) return new RangeError(`history: ${r.topic}: value ${r.value} is not a finite number`);
    }
    if (buffer.length + readings.length > MAX_BACKLOG) {
      return Object.assign(new Error(`history: ${buffer.length} readings already wait for a write`), { code: HISTORY_BACKLOG_FULL });
    }
    return null;
  };
  const committed = () => {
    cache(touched!);
    for (const { waiter, lazy, slot } of appends) {
      if (slot === null) {
        if (!lazy) settle(waiter);
        continue;
      }
      // Before the groups' commit() resolves: the acknowledgement reads it then.
      const error = refused.get(slot);
      if (error !== undefined) slot.failed = refusal(error);
    }
    if (shared !== null) settle(shared);
    touched = null;
    if (refused.size > 0) refused = new Map();
    buffer = [];
    appends = [];
    shared = null;
  };
  return {
    append(readings: readonly Reading[], lazy: boolean, slot: AckSlot | null): Promise<void> {
      const refused = refuseAppend(readings);
      if (refused !== null) {
        if (slot !== null) slot.failed = refused;
        return Promise.reject(refused);
      }
      const last = appends.at(-1);
      const start = buffer.length;
      let waiter: Deferred;
      if (slot !== null) appends.push({ start, count: readings.length, waiter: (waiter = shared ??= sharedDeferred()), lazy: false, slot });
      else if (!lazy) appends.push({ start, count: readings.length, waiter: (waiter = deferred()), lazy, slot });
      else if (last?.lazy) (waiter = last.waiter), (last.count += readings.length);
      else appends.push({ start, count: readings.length, waiter: (waiter = shared ??= sharedDeferred()), lazy, slot });
      for (let i = 0; i < readings.length; i++) buffer.push(readings[i]);
      const urgent = !lazy || buffer.length >= LAZY_BATCH;
      if (!queued || (urgent && !queuedUrgent)) {
        groups.change("history\0readings", apply, committed, !urgent);
        queued = true;
        queuedUrgent = urgent;
      }
      return waiter.promise;
    },
    /** Whatever never committed fails: its messages must not be acknowledged as stored. */
    close() {
      closed = true;
      const error = new Error("history store closed before these readings were written");
      for (const { waiter, slot } of appends) {
        if (slot !== null) slot.failed = error;
        waiter.reject(error);
      }
      appends = [];
      shared = null;
    },
  };
}

/** The buffer's shared promise: whoever holds it may not wait (a slot's reader waits on the groups' commit instead). */
function sharedDeferred(): Deferred {
  const d = deferred();
  d.promise.catch(() => {});
  return d;
}


// The SQLite history store's appends in the hub's write groups (sqlite-store.ts with
// `groups`, broker/hub-stores.ts): readings are buffered for the next group and written by
// one change, so a group costs one roll-up upsert per topic and minute whatever its size.
import type { AckSlot } from "../ack-slot";
import { deferred, type Deferred } from "../deferred";
import type { Reading } from "../readings";
import type { Isolate } from "../sqlite";
import type { TopicRow } from "./sqlite-reads";
import type { HistoryGroups } from "./sqlite-store";
import { HISTORY_BACKLOG_FULL, HISTORY_REFUSED, HistoryPartlyRefused } from "./store";

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
 * group's commit: lib/ack-slot.ts). The others share one promise per buffer, the lazy ones
 * (QoS 0, nobody waits) one and those with a slot another, and the lazy ones add no object
 * per reading while they follow each other: these are the hub's hottest paths (issue 12).
 *
 * When the groups write change by change after a refusal (review-5 #2), each append's
 * readings (each lazy reading) get a savepoint of their own: what the database refuses
 * fails alone, and every other reading of the group is stored. The refusal is told to whom
 * it concerns (review-7 F5): an own promise rejects with HISTORY_REFUSED; a slot gets it
 * at once, in the transaction, so a later change of the same message there (its inbound
 * packet id, broker/mqtt/sqlite-store.ts addInbound) sees it and is not written without
 * the row (review-7 F10); the slot appends' shared promise resolves with the commit
 * whatever their slots say; the lazy ones' rejects with HistoryPartlyRefused, which
 * counts the refused ones, the rest being stored.
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
  /** The shared promise of this buffer's lazy appends; made by the first of them. */
  let shared: Deferred | null = null;
  /** The shared promise of this buffer's appends with a slot (their outcome is in their slots). */
  let slotShared: Deferred | null = null;
  let touched: Map<string, TopicRow> | null = null;
  /** Appends with an own promise whose readings the database refused in the write now committing, with why. */
  let refused = new Map<Deferred, Error>();
  /** Lazy readings the database refused in that write, by their index in the buffer. */
  let lazyRefused = new Map<number, Error>();
  /** A slot was told of a refusal in a write not committed yet: a retry of that write starts them afresh. */
  let slotsTold = false;
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
    if (lazyRefused.size > 0) lazyRefused = new Map();
    // That write was rolled back (a transient failure after it): its refusals with it.
    if (slotsTold) for (const { slot } of appends) if (slot !== null) slot.failed = null;
    slotsTold = false;
    if (isolate === null) {
      touched = insertRows(buffer);
      return;
    }
    const kept = (touched = new Map());
    const insertApart = (readings: readonly Reading[]): Error | null => {
      let rows: Map<string, TopicRow> | null = null;
      const error = isolate(() => {
        rows = insertRows(readings);
      });
      if (error === null) for (const [topic, row] of rows!) kept.set(topic, row);
      return error;
    };
    for (const { start, count, waiter, lazy, slot } of appends) {
      if (lazy) {
        for (let i = start; i < start + count; i++) {
          const error = insertApart([buffer[i]]);
          if (error !== null) lazyRefused.set(i, error);
        }
        continue;
      }
      const error = insertApart(buffer.slice(start, start + count));
      if (error === null) continue;
      if (slot === null) refused.set(waiter, error);
      else {
        slot.failed = refusal(error);
        slotsTold = true;
      }
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
    // A slot was told in the write (apply), before the groups' commit() resolves: the acknowledgement reads it then.
    for (const { waiter, lazy, slot } of appends) if (slot === null && !lazy) settle(waiter);
    if (shared !== null) {
      if (lazyRefused.size === 0) shared.resolve();
      else shared.reject(new HistoryPartlyRefused(lazyRefused));
    }
    slotShared?.resolve();
    touched = null;
    if (refused.size > 0) refused = new Map();
    if (lazyRefused.size > 0) lazyRefused = new Map();
    slotsTold = false;
    buffer = [];
    appends = [];
    shared = slotShared = null;
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
      if (slot !== null) appends.push({ start, count: readings.length, waiter: (waiter = slotShared ??= sharedDeferred()), lazy: false, slot });
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
      shared = slotShared = null;
    },
  };
}

/** The buffer's shared promise: whoever holds it may not wait (a slot's reader waits on the groups' commit instead). */
function sharedDeferred(): Deferred {
  const d = deferred();
  d.promise.catch(() => {});
  return d;
}


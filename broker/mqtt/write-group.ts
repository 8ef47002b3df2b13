// Group commit for the broker's store (issue 12, "acknowledged means stored"): every
// change made within one turn of the event loop (or a few milliseconds) is written in
// ONE transaction, so a PUBACK that waits for its commit costs a share of an fsync,
// not one of its own.
//
// Not every change needs its commit soon: a QoS 0 message's history row has nobody
// waiting for it. Such a change is `lazy`: a group of lazy changes alone is written
// `lazyDelayMs` after its first one, so a QoS 0 stream costs one transaction per
// interval instead of one per turn (each rewrites the same table, index and roll-up
// pages). It is written at once (setImmediate) as soon as it holds anything else: an
// urgent change (the broker's state) or a commit() someone waits on (a PUBACK / PUBREC,
// ack-gate.ts). Acknowledged still means stored; only the unacknowledged may be late.
//
// Changes are keyed by the row they touch. A later change to the same row replaces
// the earlier one in the group and moves to the end (a set then a delete of a message
// acknowledged within the group is one DELETE), so the group stays in the order the
// rows were last touched: a delete that cascades (a session's) keys differently from
// the row's own save and so still runs before anything saved after it.
//
// A failed write rejects the commits waiting on that group, is logged with a code,
// and keeps every change for a retry with back-off; nothing throws at the caller.
import { deferred, type Deferred } from "../../lib/deferred";
import type { Logger } from "../../lib/log";

export type WriteGroupOptions = {
  /** Applies a group's changes in one transaction; throws (and rolls back) to fail the whole group. */
  write(changes: Iterable<() => void>): void;
  /** 0: write at setImmediate, after every socket read of this turn; else after this many ms. */
  delayMs: number;
  /** A group holding only lazy changes is written this many ms after its first (default: as delayMs). */
  lazyDelayMs?: number;
  log: Logger;
  /** The stable code a failed write is logged with. */
  failureCode: string;
};

export type WriteGroups = {
  /**
   * Adds (or replaces) the change to the row `key`, and schedules the group's write.
   * `committed` runs once the transaction that applied it has committed (a cache that
   * may only hold committed rows; history's readings, lib/history/sqlite-store.ts).
   * `lazy`: nobody waits for this change's commit (see the top of the file).
   */
  change(key: string, apply: () => void, committed?: () => void, lazy?: boolean): void;
  /** Resolves when every change made so far is written; rejects if that write fails. */
  commit(): Promise<void>;
  /** Writes what is pending now (load, close); throws if the write fails. */
  writeNow(): void;
  /** Stops the timers; what is pending stays pending. */
  stop(): void;
  stats(): { groups: number; changes: number; failures: number; pending: number };
};

/** Retries of a failing write back off, doubling from this… */
const FIRST_RETRY_MS = 10;
/** …up to this, so a full disk is retried every few seconds, not every turn. */
const MAX_RETRY_MS = 5000;

export class StoreWriteError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "StoreWriteError";
  }
}

type Change = { apply: () => void; committed: (() => void) | undefined };

const applyOf = function* (changes: Map<string, Change>): Iterable<() => void> {
  for (const change of changes.values()) yield change.apply;
};

export function createWriteGroups({ write, delayMs, lazyDelayMs = delayMs, log, failureCode }: WriteGroupOptions): WriteGroups {
  let pending = new Map<string, Change>();
  /** Created only when someone commits: a QoS 0 stream of changes allocates no promises. */
  let waiter: Deferred | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let immediate: ReturnType<typeof setImmediate> | null = null;
  /** The write of a group holding only lazy changes; an urgent change or a commit() replaces it. */
  let lazyTimer: ReturnType<typeof setTimeout> | null = null;
  /** Consecutive failed writes. */
  let failures = 0;
  let stopped = false;
  const totals = { groups: 0, changes: 0, failures: 0 };

  function schedule(lazy = false): void {
    if (stopped || timer !== null || immediate !== null) return;
    if (failures > 0) {
      cancelLazy();
      timer = setTimeout(onTimer, Math.min(FIRST_RETRY_MS * 2 ** (failures - 1), MAX_RETRY_MS));
    } else if (lazy) {
      lazyTimer ??= setTimeout(onTimer, lazyDelayMs);
    } else {
      cancelLazy();
      if (delayMs > 0) timer = setTimeout(onTimer, delayMs);
      else immediate = setImmediate(onTimer);
    }
  }

  function cancelLazy(): void {
    if (lazyTimer !== null) clearTimeout(lazyTimer);
    lazyTimer = null;
  }

  function cancel(): void {
    if (timer !== null) clearTimeout(timer);
    if (immediate !== null) clearImmediate(immediate);
    cancelLazy();
    timer = immediate = null;
  }

  function onTimer(): void {
    timer = immediate = lazyTimer = null;
    try {
      writeNow();
    } catch {
      // Logged and kept for the retry by writeNow; the commits waiting were rejected.
    }
  }

  function writeNow(): void {
    cancel();
    const changes = pending;
    const waiting = waiter;
    waiter = null;
    if (changes.size === 0) {
      waiting?.resolve();
      return;
    }
    pending = new Map();
    try {
      write(applyOf(changes));
    } catch (cause) {
      // The write is synchronous, so nothing changed meanwhile: the group is pending again, whole.
      pending = changes;
      failures++;
      totals.failures++;
      const reason = cause instanceof Error ? cause.message : String(cause);
      log.error("broker state write failed; keeping the changes for the next try", {
        code: failureCode,
        changes: changes.size,
        failures,
        error: reason,
      });
      const error = new StoreWriteError(failureCode, `broker state write failed: ${reason}`, { cause });
      waiting?.reject(error);
      schedule();
      throw error;
    }
    failures = 0;
    totals.groups++;
    totals.changes += changes.size;
    for (const change of changes.values()) change.committed?.();
    waiting?.resolve();
  }

  return {
    change(key, apply, committed, lazy = false) {
      pending.delete(key);
      pending.set(key, { apply, committed });
      schedule(lazy);
    },
    commit() {
      if (pending.size === 0) return Promise.resolve();
      waiter ??= deferred();
      schedule();
      return waiter.promise;
    },
    writeNow,
    stop() {
      stopped = true;
      cancel();
    },
    stats: () => ({ ...totals, pending: pending.size }),
  };
}

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
// A commit costs about as much for one change as for fifty (BEGIN/COMMIT, the WAL's
// pages; bench/tools/group-cost.ts), so under load a group written every turn made the
// commit a third of the hub's CPU per QoS 1 message. With `busySpacingMs`, a writer that
// wrote a moment ago lets the rest of that interval's changes gather first; an idle one
// still writes at once, so a lone PUBACK waits for one commit and never for a window.
//
// Changes are keyed by the row they touch. A later change to the same row replaces
// the earlier one in the group and moves to the end (a set then a delete of a message
// acknowledged within the group is one DELETE), so the group stays in the order the
// rows were last touched: a delete that cascades (a session's) keys differently from
// the row's own save and so still runs before anything saved after it.
//
// A failed write is logged with a code and told apart by its cause (review-5 #2, #5):
// - the database's (busy, disk full, I/O): every change is kept and retried with
//   back-off, and the commits waiting on them keep waiting for that retry, so nobody is
//   told "not stored" about a message the retry then stores. They fail only when the
//   groups stop first, or at once when the backlog is over MAX_BACKLOG.
// - a change's own (a constraint its row breaks): the group is written again with each
//   change in its own SAVEPOINT, so the bad one is rolled back, logged and dropped, and
//   the rest commits; one device's bad row never holds everyone's state and acks.
// Nothing throws at the caller.
import { deferred, type Deferred } from "../../lib/deferred";
import type { Logger } from "../../lib/log";
import type { Isolate } from "../../lib/sqlite";

/** A change's write; `isolate` is given when the group is written change by change after a refusal. */
export type Apply = (isolate: Isolate | null) => void;

export type WriteGroupOptions = {
  /**
   * Runs `body` in a transaction, and called inside one, in a SAVEPOINT (better-sqlite3's
   * db.transaction nests so); throws, rolled back, when it fails.
   */
  transaction(body: () => void): void;
  /** True for a failure of the database (busy, full, I/O), which a retry may mend; anything else is the change's own. */
  transient(error: unknown): boolean;
  /** 0: write at setImmediate, after every socket read of this turn; else after this many ms. */
  delayMs: number;
  /** A group holding only lazy changes is written this many ms after its first (default: as delayMs). */
  lazyDelayMs?: number;
  /**
   * Under load, at most one write per this many ms (0, the default: no spacing). A change
   * that finds the writer idle (nothing written for this long) is written at once, as
   * delayMs says; one made while writes follow each other waits for the rest of the
   * interval, so a busy writer's groups grow with the load instead of costing a commit
   * per turn of the event loop (the top of the file says why).
   */
  busySpacingMs?: number;
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
  change(key: string, apply: Apply, committed?: () => void, lazy?: boolean): void;
  /**
   * Resolves when every change made so far is written. A failing write is retried and this
   * waits for it; it rejects when the groups stop first, when a change of the group was
   * refused (its own data), or at once when MAX_BACKLOG changes already wait.
   */
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
/** While writes fail, a commit() with more changes than this waiting is refused at once (CHANGES_BACKLOG_FULL). */
export const MAX_BACKLOG = 10_000;

/** A change whose own data the database refused: rolled back and dropped, the rest of its group written. */
export const CHANGE_REFUSED = "store-change-refused";
/** commit() while writes fail and MAX_BACKLOG changes already wait. */
export const CHANGES_BACKLOG_FULL = "store-backlog-full";

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

type Change = { apply: Apply; committed: (() => void) | undefined };

const NONE_REFUSED: ReadonlyMap<string, Error> = new Map();

export function createWriteGroups({ transaction, transient, delayMs, lazyDelayMs = delayMs, busySpacingMs = 0, log, failureCode }: WriteGroupOptions): WriteGroups {
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
  /** When the last group was written (performance.now()), for busySpacingMs. */
  let lastWriteAt = -Infinity;
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
      const spacing = busySpacingMs > 0 ? busySpacingMs - (performance.now() - lastWriteAt) : 0;
      if (spacing > delayMs) timer = setTimeout(onTimer, spacing);
      else if (delayMs > 0) timer = setTimeout(onTimer, delayMs);
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
      // Logged and kept for the retry by writeNow; the commits waiting wait for it.
    }
  }

  const isolate: Isolate = (body) => {
    try {
      transaction(body);
      return null;
    } catch (error) {
      if (transient(error)) throw error;
      return error instanceof Error ? error : new Error(String(error));
    }
  };

  /** The whole group in one transaction; after a refusal, each change in its own savepoint. Returns the refused. */
  function write(changes: Map<string, Change>): ReadonlyMap<string, Error> {
    try {
      transaction(() => {
        for (const change of changes.values()) change.apply(null);
      });
      return NONE_REFUSED;
    } catch (error) {
      if (transient(error)) throw error;
    }
    const refused = new Map<string, Error>();
    transaction(() => {
      for (const [key, change] of changes) {
        const error = isolate(() => change.apply(isolate));
        if (error !== null) refused.set(key, error);
      }
    });
    return refused;
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
    let refused: ReadonlyMap<string, Error>;
    try {
      refused = write(changes);
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
      // Its commits wait for the retry (review-5 #5); with no retry to come they fail now.
      if (stopped) waiting?.reject(error);
      else waiter = waiting;
      schedule();
      throw error;
    }
    failures = 0;
    lastWriteAt = performance.now();
    totals.groups++;
    totals.changes += changes.size - refused.size;
    for (const [key, change] of changes) if (!refused.has(key)) change.committed?.();
    if (refused.size === 0) return waiting?.resolve();
    for (const [key, error] of refused) {
      log.error("a change was refused by the database; wrote the rest of its group", { code: CHANGE_REFUSED, key: printable(key), error: error.message });
    }
    // Whose message it was is not known here: every commit waiting on this group hears it was not (all) stored.
    const [first] = refused.values();
    waiting?.reject(new StoreWriteError(CHANGE_REFUSED, `a change was refused: ${first.message}`, { cause: first }));
  }

  return {
    change(key, apply, committed, lazy = false) {
      pending.delete(key);
      pending.set(key, { apply, committed });
      schedule(lazy);
    },
    commit() {
      if (pending.size === 0) return Promise.resolve();
      if (failures > 0 && pending.size > MAX_BACKLOG) {
        const error = new StoreWriteError(CHANGES_BACKLOG_FULL, `${pending.size} changes already wait for a write that keeps failing`);
        log.error("broker state backlog full; not acknowledging as stored", { code: CHANGES_BACKLOG_FULL, changes: pending.size });
        return Promise.reject(error);
      }
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

/** A change's key for the log: its parts (kind, client, row) joined by "/" instead of NUL. */
const printable = (key: string) => key.replaceAll("\0", "/");

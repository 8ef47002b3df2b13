// A PostgreSQL store opens at once, whether or not its database answers yet (issue
// 14, "an unreachable database at start"): the first setup (migrations) is tried
// straight away and, while it fails, again with backoff, each failure one log line
// with a code. Until it has succeeded every call fails fast with that code, so the
// recorder keeps its readings in its bounded buffer and the pages say why.
import type { Logger } from "../log";
import { PgStoreError, redactUrl, wrapError } from "./pool";

export type Backoff = { initialMs: number; maxMs: number };
export const DEFAULT_BACKOFF: Backoff = { initialMs: 1000, maxMs: 30_000 };

export type Availability = {
  /** Resolves once setup has succeeded; rejects at once (with a coded error) while it has not. */
  ready(): Promise<void>;
  /** Resolves when setup first succeeds, however many tries it takes (never, once stopped). */
  readonly settled: Promise<void>;
  /** Stops retrying (the store is closing). */
  stop(): void;
};

/** The delay before retry number `attempt` (1-based): doubling, capped. */
export function backoffDelay(attempt: number, { initialMs, maxMs }: Backoff): number {
  return Math.min(initialMs * 2 ** (attempt - 1), maxMs);
}

export function keepTrying(opts: {
  setup: () => Promise<void>;
  url: string;
  store: string;
  log: Logger;
  /** null: one try only (a command that reports and exits). */
  backoff?: Backoff | null;
}): Availability {
  const { setup, url, store, log, backoff = DEFAULT_BACKOFF } = opts;
  let ok = false;
  let stopped = false;
  let lastError: PgStoreError | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let attempts = 0;
  let succeeded = () => {};
  const settled = new Promise<void>((resolve) => (succeeded = resolve));

  const attempt = async (): Promise<void> => {
    attempts++;
    try {
      await setup();
      ok = true;
      succeeded();
      if (attempts > 1) log.info("database reachable again", { store, database: redactUrl(url), attempts });
    } catch (error) {
      lastError = wrapError(error, url);
      if (stopped || backoff === null) return;
      const retryMs = backoffDelay(attempts, backoff);
      log.error("cannot use the database; retrying", {
        code: lastError.code,
        store,
        database: redactUrl(url),
        attempt: attempts,
        retryInMs: retryMs,
        error: lastError.message,
      });
      timer = setTimeout(() => {
        timer = null;
        first = attempt();
      }, retryMs);
      timer.unref();
    }
  };
  // Calls made while the first attempt runs wait for it, so a store opened and used at
  // once (tests, the migrate command) sees no spurious failure.
  let first = attempt();

  return {
    settled,
    async ready() {
      if (ok) return;
      await first;
      if (ok) return;
      throw lastError ?? new PgStoreError("database-unreachable", `the database at ${redactUrl(url)} is not ready`);
    },
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
    },
  };
}

/**
 * A store's wrapper for every call: waits for setup, and gives any failure its code
 * and the database's (redacted) address. A RangeError (a bad argument) passes as it is.
 */
export function guardCalls(availability: Availability, url: string): <T>(work: () => Promise<T>) => Promise<T> {
  return async (work) => {
    await availability.ready();
    try {
      return await work();
    } catch (error) {
      throw error instanceof RangeError ? error : wrapError(error, url);
    }
  };
}

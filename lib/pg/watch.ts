// Whether the hub's PostgreSQL answers, for the dashboard ("database unreachable since
// 14:05") and for one log line per outage (issue 14, "bad input and faults"). The
// stores retry on their own; this only watches: a `SELECT 1` every few seconds while
// the database answers, and with backoff while it does not.
import type { Logger } from "../log";
import { backoffDelay, DEFAULT_BACKOFF, type Backoff } from "./availability";
import { openPool, redactUrl, wrapError, type PgErrorCode } from "./pool";

/** What the dashboard shows; `since` is when the database was last found in this state. */
export type DatabaseStatus =
  | { state: "checking"; since: number }
  | { state: "up"; since: number }
  | { state: "down"; since: number; code: PgErrorCode; message: string };

export type DatabaseWatch = { status(): DatabaseStatus; stop(): Promise<void> };

/** The next status after a probe; the same object when nothing a person would see changed. */
export function nextStatus(previous: DatabaseStatus, probe: { ok: true } | { ok: false; code: PgErrorCode; message: string }, now: number): DatabaseStatus {
  if (probe.ok) return previous.state === "up" ? previous : { state: "up", since: now };
  if (previous.state === "down" && previous.code === probe.code) return previous;
  // A down database that fails differently is still down since it first failed.
  return { state: "down", since: previous.state === "down" ? previous.since : now, code: probe.code, message: probe.message };
}

export function watchDatabase(opts: { url: string; log: Logger; everyMs?: number; backoff?: Backoff; now?: () => number }): DatabaseWatch {
  const { url, log, everyMs = 5000, backoff = DEFAULT_BACKOFF, now = Date.now } = opts;
  const pool = openPool({ url, log, max: 1 });
  let status: DatabaseStatus = { state: "checking", since: now() };
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  let probing: Promise<void> = Promise.resolve();

  const probe = async () => {
    let result: Parameters<typeof nextStatus>[1];
    try {
      await pool.query("SELECT 1");
      result = { ok: true };
    } catch (error) {
      const e = wrapError(error, url);
      result = { ok: false, code: e.code, message: e.message };
    }
    const before = status;
    status = nextStatus(before, result, now());
    if (status.state === "down") failures++;
    else failures = 0;
    if (status !== before && status.state === "down") {
      log.error("database unreachable; the hub keeps retrying", { code: status.code, database: redactUrl(url), error: status.message });
    } else if (status !== before && before.state === "down") {
      log.info("database reachable again", { database: redactUrl(url), downForMs: status.since - before.since });
    }
    if (stopped) return;
    timer = setTimeout(() => (probing = probe()), status.state === "down" ? backoffDelay(failures, backoff) : everyMs);
    timer.unref();
  };
  probing = probe();

  return {
    status: () => status,
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      await probing;
      await pool.end();
    },
  };
}

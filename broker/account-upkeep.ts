// What the hub does to its accounts by itself: the first admin from the environment,
// and pruning expired sessions. Either may meet a database that is not there yet
// (PostgreSQL, issue 14): the admin is then created once it answers, with backoff.
import type { AccountStore } from "../lib/auth/account-store";
import type { HubConfig } from "../lib/config";
import { databaseFaultCode } from "../lib/database-fault";
import type { Logger } from "../lib/log";
import { backoffDelay, DEFAULT_BACKOFF, type Backoff } from "../lib/pg/availability";

const SESSION_PRUNE_EVERY_MS = 60 * 60 * 1000;
/** A prune that found accounts.sqlite's write lock held tries again this soon rather than in an hour. */
const SESSION_PRUNE_RETRY_MS = 60 * 1000;

const isBusy = (error: unknown) => /^SQLITE_(BUSY|LOCKED)/.test(String((error as { code?: unknown } | null)?.code ?? ""));

/**
 * HEARTH_ADMIN_USER/PASSWORD create the first admin on a start with no users
 * (automation, tests). Resolves after the first try; while the database is away it
 * tries again in the background until it has done so or the hub stops.
 */
export async function ensureAdminFromEnv(
  accounts: AccountStore,
  admin: HubConfig["auth"]["admin"],
  log: Logger,
  backoff: Backoff = DEFAULT_BACKOFF,
): Promise<{ stop(): void }> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  const attempt = async (tries: number): Promise<void> => {
    if (admin === null || stopped) return;
    try {
      if ((await accounts.userCount()) > 0) return;
      await accounts.createUser(admin.username, admin.password, "admin");
      log.info("created the admin account from HEARTH_ADMIN_USER", { username: admin.username });
    } catch (error) {
      const code = databaseFaultCode(error);
      if (code === null || stopped) throw error;
      const retryInMs = backoffDelay(tries, backoff);
      log.warn("cannot create the admin account yet; retrying", { code, retryInMs });
      timer = setTimeout(() => void attempt(tries + 1).catch((e: Error) => log.error("admin account not created", { error: e.message })), retryInMs);
      timer.unref();
    }
  };
  await attempt(1);
  return {
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
    },
  };
}

/**
 * Expired sessions are harmless (they are checked on use) but need not be kept. The prune
 * runs on the broker's thread and never waits for another connection's write lock
 * (sqlite-account-store.ts): one that finds it held (SQLITE_BUSY) is logged once per spell
 * and tried again after `retryMs` (review-17 F3). `stop()` ends both timers.
 */
export function startSessionPruning(
  accounts: AccountStore,
  log: Logger,
  opts: { everyMs?: number; retryMs?: number } = {},
): { stop(): void; pruning: Promise<void> } {
  let retry: NodeJS.Timeout | undefined;
  let busySince: number | null = null;
  let pruning = Promise.resolve();
  const prune = async () => {
    clearTimeout(retry);
    try {
      const sessions = await accounts.pruneSessions();
      if (busySince !== null) log.info("accounts: session prune done after the lock was freed", { code: "accounts-prune-busy", tries: busySince });
      busySince = null;
      if (sessions > 0) log.info("accounts: removed expired sessions", { sessions });
    } catch (error) {
      if (isBusy(error)) {
        if (busySince === null) log.warn("accounts: another connection holds accounts.sqlite's write lock; the session prune tries again later", { code: "accounts-prune-busy", retryInMs: opts.retryMs ?? SESSION_PRUNE_RETRY_MS });
        busySince = (busySince ?? 0) + 1;
        retry = setTimeout(run, opts.retryMs ?? SESSION_PRUNE_RETRY_MS);
        retry.unref();
        return;
      }
      log.error("accounts: session prune failed", { code: databaseFaultCode(error) ?? undefined, error: (error as Error).message });
    }
  };
  const run = () => void (handle.pruning = pruning = prune());
  const timer = setInterval(run, opts.everyMs ?? SESSION_PRUNE_EVERY_MS);
  timer.unref();
  const handle = {
    pruning,
    stop() {
      clearInterval(timer);
      clearTimeout(retry);
    },
  };
  run();
  return handle;
}

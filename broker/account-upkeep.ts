// What the hub does to its accounts by itself: the first admin from the environment,
// and pruning expired sessions. Either may meet a database that is not there yet
// (PostgreSQL, issue 14): the admin is then created once it answers, with backoff.
import type { AccountStore } from "../lib/auth/account-store";
import type { HubConfig } from "../lib/config";
import { databaseFaultCode } from "../lib/database-fault";
import type { Logger } from "../lib/log";
import { backoffDelay, DEFAULT_BACKOFF, type Backoff } from "../lib/pg/availability";

const SESSION_PRUNE_EVERY_MS = 60 * 60 * 1000;

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

/** Expired sessions are harmless (they are checked on use) but need not be kept. */
export function startSessionPruning(accounts: AccountStore, log: Logger): NodeJS.Timeout {
  const prune = async () => {
    try {
      const sessions = await accounts.pruneSessions();
      if (sessions > 0) log.info("accounts: removed expired sessions", { sessions });
    } catch (error) {
      log.error("accounts: session prune failed", { code: databaseFaultCode(error) ?? undefined, error: (error as Error).message });
    }
  };
  const timer = setInterval(prune, SESSION_PRUNE_EVERY_MS);
  timer.unref();
  void prune();
  return timer;
}

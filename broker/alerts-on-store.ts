// The alert engine on its store (issue 14): alerts.sqlite in the data directory, or
// PostgreSQL when HEARTH_DATABASE_URL names one. The engine needs its rules and states
// before it may judge a reading, so on PostgreSQL it starts once the store has loaded
// them: at once when the database answers, else after a retry with backoff (each
// failure a log line with its code, lib/pg/availability.ts). Meanwhile the service
// answers with no rules and no alerts, and refuses changes with database-unreachable.
import path from "node:path";
import type { HubConfig } from "../lib/config";
import { openPgAlertStore } from "../lib/alerts/pg-alert-store";
import type { Rule } from "../lib/alerts/rule";
import type { AlertResult, AlertService } from "../lib/alerts/service";
import { openSqliteAlertStore } from "../lib/alerts/sqlite-alert-store";
import type { AlertStore } from "../lib/alerts/store";
import type { Logger } from "../lib/log";
import { keepTrying, type Backoff } from "../lib/pg/availability";
import { startAlertEngine, type AlertEngine, type AlertEngineOptions } from "./alert-engine";
import type { Bus } from "./bus";

export const SQLITE_ALERTS_FILE = "alerts.sqlite";

export type Alerts = { service: AlertService; stop(): Promise<void> };

const UNAVAILABLE = {
  ok: false,
  code: "database-unreachable",
  message: "the alert store's database is not reachable yet; Hearth keeps retrying",
} as const satisfies AlertResult<never>;

/**
 * The engine's service while it runs; before that, empty answers and refused changes.
 * Only AlertService's own methods: the web thread must not reach the engine's stop().
 */
function serviceOf(engine: () => AlertService | null): AlertService {
  return {
    rules: () => engine()?.rules() ?? [],
    createRule: async (input) => engine()?.createRule(input) ?? UNAVAILABLE,
    updateRule: async (id, input) => engine()?.updateRule(id, input) ?? UNAVAILABLE,
    deleteRule: async (id) => engine()?.deleteRule(id) ?? UNAVAILABLE,
    testRule: (input) => engine()?.testRule(input) ?? { topics: [] },
    alerts: () => engine()?.alerts() ?? [],
    acknowledge: async (ruleId, topic) => engine()?.acknowledge(ruleId, topic) ?? UNAVAILABLE,
    snooze: async (ruleId, topic, until) => engine()?.snooze(ruleId, topic, until) ?? UNAVAILABLE,
    history: (filter) => engine()?.history(filter) ?? [],
  };
}

export async function startAlerts(
  bus: Bus,
  config: Pick<HubConfig, "dataDir" | "databaseUrl">,
  opts: { log: Logger; seedRules: readonly Rule[]; backoff?: Backoff; readingOf?: AlertEngineOptions["readingOf"] },
): Promise<Alerts> {
  let store: AlertStore | null = null;
  let engine: AlertEngine | null = null;
  const start = async (opened: AlertStore) => {
    store = opened;
    engine = await startAlertEngine(bus, opened, { log: opts.log, seedRules: opts.seedRules, readingOf: opts.readingOf });
  };
  const stopBoth = async () => {
    await engine?.stop();
    await store?.close();
  };

  if (config.databaseUrl === null) {
    await start(openSqliteAlertStore(path.join(config.dataDir, SQLITE_ALERTS_FILE), opts.log));
    return { service: serviceOf(() => engine), stop: stopBoth };
  }
  const url = config.databaseUrl;
  let stopped = false;
  const availability = keepTrying({
    url,
    store: "alerts",
    log: opts.log,
    backoff: opts.backoff,
    setup: async () => {
      const opened = await openPgAlertStore({ url, log: opts.log });
      // Stopped while a retry was opening the store (review-5 finding 13): nobody would
      // stop an engine started now, nor close its pool.
      if (stopped) return opened.close();
      try {
        await start(opened);
      } catch (error) {
        store = null;
        await opened.close();
        throw error;
      }
      if (stopped) await stopBoth();
    },
  });
  // When the database answers, the engine runs before the hub says it is ready.
  await availability.ready().catch(() => {});
  return {
    service: serviceOf(() => engine),
    async stop() {
      stopped = true;
      availability.stop();
      await stopBoth();
    },
  };
}

// Which history store the hub uses (issue 14): SQLite in the data directory by
// default, PostgreSQL when HEARTH_DATABASE_URL (or `databaseUrl` in the config file)
// names one. The only place that chooses; everything else sees a HistoryStore.
import path from "node:path";
import type { HubConfig } from "../config";
import type { Logger } from "../log";
import { redactUrl } from "../pg/pool";
import { openPgHistory } from "./pg-store";
import { openSqliteHistory } from "./sqlite-store";
import type { HistoryStore } from "./store";

export const SQLITE_HISTORY_FILE = "history.sqlite";

export type OpenedHistory = {
  store: HistoryStore;
  /** Where it lives, for the log and the storage page: a file, or the database URL without its password. */
  where: string;
};

export function openHistory(config: Pick<HubConfig, "dataDir" | "databaseUrl">, log: Logger): OpenedHistory {
  if (config.databaseUrl !== null) {
    return { store: openPgHistory({ url: config.databaseUrl, log }), where: redactUrl(config.databaseUrl) };
  }
  const file = path.join(config.dataDir, SQLITE_HISTORY_FILE);
  return { store: openSqliteHistory(file), where: file };
}

// Which history store the hub uses (issue 14): SQLite in the data directory by
// default, PostgreSQL when HEARTH_DATABASE_URL (or `databaseUrl` in the config file)
// names one. The only place that chooses; everything else sees a HistoryStore, and the
// web thread a HistoryReader of its own on the same source.
import path from "node:path";
import type { HubConfig } from "../config";
import type { Logger } from "../log";
import { redactUrl } from "../pg/pool";
import { openPgHistory } from "./pg-store";
import { openSqliteHistoryReader } from "./sqlite-reader";
import { openSqliteHistory } from "./sqlite-store";
import type { HistoryReader, HistoryStore } from "./store";

export const SQLITE_HISTORY_FILE = "history.sqlite";

/**
 * Where history lives; what the hub hands its web thread so both read the same. `readerThreads`:
 * how many threads the web thread reads SQLite on (broker/history-readers.ts); 0 or absent: on itself.
 */
export type HistorySource = { kind: "sqlite"; file: string; readerThreads?: number } | { kind: "postgres"; url: string };

export type OpenedHistory = {
  store: HistoryStore;
  source: HistorySource;
  /** Where it lives, for the log and the storage page: a file, or the database URL without its password. */
  where: string;
};

export function historySource(config: Pick<HubConfig, "dataDir" | "databaseUrl"> & { history?: Pick<HubConfig["history"], "readerThreads"> }): HistorySource {
  if (config.databaseUrl !== null) return { kind: "postgres", url: config.databaseUrl };
  return { kind: "sqlite", file: path.join(config.dataDir, SQLITE_HISTORY_FILE), readerThreads: config.history?.readerThreads };
}

export function openHistory(config: Pick<HubConfig, "dataDir" | "databaseUrl" | "durability">, log: Logger): OpenedHistory {
  const source = historySource(config);
  if (source.kind === "postgres") {
    return { store: openPgHistory({ url: source.url, log }), source, where: redactUrl(source.url) };
  }
  return { store: openSqliteHistory(source.file, config.durability), source, where: source.file };
}

/**
 * The web thread's reader. SQLite: a read-only connection to the hub's file. PostgreSQL:
 * a pool of its own; while the database is away its reads fail with database-unreachable
 * (the routes answer 503), and it keeps retrying like the hub's store.
 */
export function openHistoryReader(source: HistorySource, log: Logger): HistoryReader {
  return source.kind === "postgres" ? openPgHistory({ url: source.url, log }) : openSqliteHistoryReader(source.file);
}

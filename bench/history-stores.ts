// The history stores the bench compares (issue 14): SQLite in a temporary folder, and
// PostgreSQL 15 in a cluster the bench makes there (lib/pg/test-postgres.ts) with
// fsync on and synchronous_commit off: as durable as SQLite's WAL at synchronous=NORMAL.
import path from "node:path";
import { openPgHistory } from "../lib/history/pg-store";
import { openSqliteHistory } from "../lib/history/sqlite-store";
import type { HistoryStore } from "../lib/history/store";
import { startTestPostgres } from "../lib/pg/test-postgres";

export const BACKENDS = ["sqlite", "postgres"] as const;
export type Backend = (typeof BACKENDS)[number];

export async function openBenchStore(backend: Backend, dir: string): Promise<{ store: HistoryStore; close(): Promise<void> }> {
  if (backend === "sqlite") {
    const store = openSqliteHistory(path.join(dir, "history.sqlite"));
    return { store, close: () => store.close() };
  }
  const server = await startTestPostgres({ durable: true });
  const store = openPgHistory({ url: server.url });
  // On a loaded machine the first connection can take longer than the store's timeout;
  // the store retries on its own, and the timed part starts once it answers.
  for (let attempt = 1; ; attempt++) {
    try {
      await store.topics();
      break;
    } catch (error) {
      if (attempt === 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  return {
    store,
    async close() {
      await store.close();
      server.stop();
    },
  };
}

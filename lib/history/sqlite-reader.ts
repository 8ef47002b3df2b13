// The web thread's own way into history: a read-only connection to the hub's SQLite
// file. WAL lets it read beside the recorder's writes, and it never writes: a chart or
// an export cannot block a PUBACK, and a page render costs no transaction. The hub
// opens (and migrates) the file before the web thread starts.
import Database from "better-sqlite3";
import { createHistoryReads, horizonsReader } from "./sqlite-reads";
import type { HistoryReader } from "./store";

export function openSqliteHistoryReader(file: string): HistoryReader {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new Error(`history: cannot open "${file}" for reading: ${(error as Error).message}`, { cause: error });
  }
  // SQLite's default 2 MiB, not the writer's 32: in WAL mode this connection's cache starts
  // over whenever the recorder has committed since its last read (every turn with readings),
  // so a larger one serves one query at a time, and a day's export filled all of it and kept
  // it (issue 13's export memory, < 50 MB above idle; 32 → 8 MiB in e5b08cb, 8 → 2 here).
  db.pragma("cache_size = -2048");
  // The writer moves a tier's horizon when it prunes; three rows, read per query.
  const reads = createHistoryReads(db, file, horizonsReader(db));
  return {
    ...reads,
    close: () => {
      db.close();
    },
  };
}

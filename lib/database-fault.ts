// Telling a database that is away from any other failure, by the stable code the
// PostgreSQL stores give their errors (lib/pg/pool.ts PgStoreError). No pg import: the
// pages and the proxy use it too, and errors crossing Next's bundles keep only their code.

/** "database-unreachable", "database-refused" or "database-failed"; null for any other error. */
export function databaseFaultCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("database-") ? code : null;
}

export type StorageFault = "disk-full" | "disk-read-only" | "storage-failed";

/**
 * SQLite's primary result codes that are a failure of the database rather than of the
 * statement's data (a retry may mend them: lib/sqlite.ts isTransientSqliteError), with
 * what a person is told of each. Any other code (a constraint, a value SQLite will not
 * take) fails the same way every time. The one list: here, since this file may not
 * import better-sqlite3 (the pages and the proxy use it).
 */
const SQLITE_STORAGE_FAULTS: Readonly<Record<string, StorageFault>> = {
  SQLITE_FULL: "disk-full",
  SQLITE_READONLY: "disk-read-only",
  SQLITE_PERM: "disk-read-only",
  SQLITE_BUSY: "storage-failed",
  SQLITE_LOCKED: "storage-failed",
  SQLITE_IOERR: "storage-failed",
  SQLITE_NOMEM: "storage-failed",
  SQLITE_CANTOPEN: "storage-failed",
  SQLITE_PROTOCOL: "storage-failed",
  SQLITE_INTERRUPT: "storage-failed",
  SQLITE_CORRUPT: "storage-failed",
  SQLITE_NOTADB: "storage-failed",
  SQLITE_NOLFS: "storage-failed",
  SQLITE_ABORT: "storage-failed",
};

/** The storage fault a SQLite result code names, extended ones (SQLITE_IOERR_WRITE) by their primary code; null: the data's fault. */
export function sqliteStorageFault(code: string): StorageFault | null {
  const primary = /^SQLITE_[A-Z]+/.exec(code)?.[0];
  return primary === undefined ? null : (SQLITE_STORAGE_FAULTS[primary] ?? null);
}

/**
 * SQLite failing to write for reasons of its own, not of the data: "disk-full", "disk-read-only"
 * or "storage-failed" (I/O, locked past the timeout, out of memory); null for any other error.
 * By the error's code only, like databaseFaultCode: no better-sqlite3 import here either.
 */
export function storageFaultCode(error: unknown): StorageFault | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? sqliteStorageFault(code) : null;
}

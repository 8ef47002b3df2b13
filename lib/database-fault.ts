// Telling a database that is away from any other failure, by the stable code the
// PostgreSQL stores give their errors (lib/pg/pool.ts PgStoreError). No pg import: the
// pages and the proxy use it too, and errors crossing Next's bundles keep only their code.

/** "database-unreachable", "database-refused" or "database-failed"; null for any other error. */
export function databaseFaultCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("database-") ? code : null;
}

/**
 * SQLite failing to write for reasons of its own, not of the data: "disk-full", "disk-read-only"
 * or "storage-failed" (I/O, locked past the timeout, out of memory); null for any other error.
 * By the error's code only, like databaseFaultCode: no better-sqlite3 import here either.
 */
export function storageFaultCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return null;
  if (code.startsWith("SQLITE_FULL")) return "disk-full";
  if (code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_PERM")) return "disk-read-only";
  return /^SQLITE_(IOERR|BUSY|LOCKED|NOMEM|CANTOPEN|CORRUPT|NOTADB)/.test(code) ? "storage-failed" : null;
}

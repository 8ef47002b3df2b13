// Telling a database that is away from any other failure, by the stable code the
// PostgreSQL stores give their errors (lib/pg/pool.ts PgStoreError). No pg import: the
// pages and the proxy use it too, and errors crossing Next's bundles keep only their code.

/** "database-unreachable", "database-refused" or "database-failed"; null for any other error. */
export function databaseFaultCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("database-") ? code : null;
}

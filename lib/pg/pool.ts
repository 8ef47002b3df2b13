// The edge every PostgreSQL store shares (issue 14): a pool on node-postgres, errors
// turned into ones with a stable code, transactions, and a URL fit for a log line.
import { createRequire } from "node:module";
import type pg from "pg";
import type { Logger } from "../log";

// node-postgres is loaded with the first pool, not with this module: a hub whose stores
// are SQLite files never needs it, and loading it cost ~3 MB of V8 heap in each of the
// hub's two threads (issue 12's memory budget; bench/tools/thread-memory.ts).
let nodePostgres: typeof pg | null = null;
const loadPg = (): typeof pg => (nodePostgres ??= createRequire(import.meta.url)("pg") as typeof pg);

export type PgErrorCode = "database-unreachable" | "database-refused" | "database-failed";

/** A failed database call, with a code a test or a log reader can rely on. */
export class PgStoreError extends Error {
  constructor(
    readonly code: PgErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
    this.name = "PgStoreError";
  }
}

export type PoolOptions = {
  url: string;
  /** Tables live in this schema (created when missing) instead of the URL's default: tests use one each. */
  schema?: string;
  /** Connections at most; the recorder writes on one, readers use the rest. */
  max?: number;
  log: Logger;
};

// Epoch milliseconds are BIGINT; node-postgres hands int8 back as a string unless told.
// They stay far below 2^53, so a Number is exact.
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID ? Number : loadPg().types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export function openPool({ url, schema, max = 4, log }: PoolOptions): pg.Pool {
  // It goes into the connection's options unquoted: only plain lower-case names.
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new RangeError(`schema must be a plain lower-case name, got ${JSON.stringify(schema)}`);
  }
  const pool = new (loadPg().Pool)({
    connectionString: url,
    max,
    types,
    // An address that drops packets must not hang the start: fail, log, and retry.
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
  });
  // A pooled connection that the server drops (a restart) errors while idle; unhandled,
  // that would end the process. The pool discards it and opens a new one on next use.
  pool.on("error", (error) => log.warn("database connection lost", { code: classify(error), error: error.message }));
  return pool;
}

// SQLSTATE class 08 is "connection exception"; 57P01–57P03 are a server shutting
// down or starting; 53300 is "too many connections".
const UNREACHABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;
const UNREACHABLE_ERRNO = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE"]);
// 28xxx: authentication failed; 3D000: no such database; 42501: no privilege.
const REFUSED_SQLSTATE = /^(28...|3D000|42501)$/;

/** Which kind of failure an error from node-postgres is. */
export function classify(error: unknown): PgErrorCode {
  if (error instanceof PgStoreError) return error.code;
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === "string" && (UNREACHABLE_SQLSTATE.test(code) || UNREACHABLE_ERRNO.has(code))) return "database-unreachable";
  if (/Connection terminated|timeout exceeded when trying to connect|connection timeout/i.test(message)) return "database-unreachable";
  if (typeof code === "string" && REFUSED_SQLSTATE.test(code)) return "database-refused";
  return "database-failed";
}

/** The error with its code, naming where the database is (without its password). */
export function wrapError(error: unknown, url: string): PgStoreError {
  if (error instanceof PgStoreError) return error;
  const code = classify(error);
  const message = error instanceof Error ? error.message || (error as { code?: string }).code || "error" : String(error);
  const where = code === "database-failed" ? "" : ` (PostgreSQL at ${redactUrl(url)})`;
  return new PgStoreError(code, `${message}${where}`, { cause: error });
}

/**
 * The URL with its password replaced, for log lines and the settings page. libpq and
 * pg take it from the query string too (?password=, ?sslpassword= for the key's).
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    for (const name of [...u.searchParams.keys()]) {
      if (/password$/i.test(name)) u.searchParams.set(name, "***");
    }
    return u.href;
  } catch {
    return "(an unparsable URL)";
  }
}

/** Runs `work` in one transaction on one connection: all of it or, on error, none. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  // A checked-out connection that dies emits 'error' besides failing its query; with no
  // listener that would end the process. The failed query is what reports it.
  const onError = () => {
    broken = true;
  };
  client.on("error", onError);
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    // A connection that died, or whose ROLLBACK failed, is in an unknown state: do not hand it out again.
    client.off("error", onError);
    client.release(broken);
  }
}

// `npm run hearth -- migrate --to postgres://…`, the alerts and accounts half (issue 14;
// history is lib/history/migrate-to-pg.ts): copies alerts.sqlite (rules, states,
// events) and accounts.sqlite (users, sessions, device accounts) into PostgreSQL.
//
// These tables are small (events are capped at 10,000), so each is read whole and
// written in chunks, a transaction each. Resumable by being idempotent: a row whose key
// is already in the target is skipped (ON CONFLICT DO NOTHING), so a run stopped
// anywhere is finished by running it again. Verified by key: every source row's key
// must be in the target afterwards (a name taken there in another case is not).
import Database from "better-sqlite3";
import type pg from "pg";
import { openPgAlertStore } from "./alerts/pg-alert-store";
import { openPgAccountStore } from "./auth/pg-account-store";
import { createLogger, type Logger } from "./log";
import { inTransaction, openPool } from "./pg/pool";

type Column = { name: string; type: "text" | "bigint" | "float8" | "boolean" };
type Table = {
  /** What the progress line calls it. */
  label: string;
  /** SELECT of the source columns, in `columns`' order, under the target's names. */
  source: string;
  target: string;
  columns: Column[];
  /** How many leading columns make the key. */
  keyColumns: number;
};

const text = (name: string): Column => ({ name, type: "text" });
const bigint = (name: string): Column => ({ name, type: "bigint" });

/** In the order they must be written (a session needs its user). */
export const STORES = {
  alerts: {
    file: "alerts.sqlite",
    tables: [
      { label: "alert rules", source: "SELECT id, definition FROM rules", target: "alert_rules", columns: [text("id"), text("definition")], keyColumns: 1 },
      {
        label: "alert states",
        source: "SELECT rule_id, topic, state FROM alerts",
        target: "alert_states",
        columns: [text("rule_id"), text("topic"), text("state")],
        keyColumns: 2,
      },
      {
        label: "alert events",
        source: `SELECT id, rule_id, rule_name, severity, topic, kind, at, value, reason,
                        CASE WHEN notified IS NULL THEN NULL ELSE notified <> 0 END AS notified FROM events`,
        target: "alert_events",
        columns: [
          bigint("id"), text("rule_id"), text("rule_name"), text("severity"), text("topic"), text("kind"), bigint("at"),
          { name: "value", type: "float8" }, text("reason"), { name: "notified", type: "boolean" },
        ],
        keyColumns: 1,
      },
    ],
  },
  accounts: {
    file: "accounts.sqlite",
    tables: [
      {
        label: "users",
        source: "SELECT username, role, password_hash, created_at FROM users",
        target: "account_users",
        columns: [text("username"), text("role"), text("password_hash"), bigint("created_at")],
        keyColumns: 1,
      },
      {
        label: "sessions",
        source: "SELECT id, token_hash, username, created_at, expires_at FROM sessions",
        target: "account_sessions",
        columns: [text("id"), text("token_hash"), text("username"), bigint("created_at"), bigint("expires_at")],
        keyColumns: 1,
      },
      {
        label: "device accounts",
        source: "SELECT name, topics, password_hash, created_at FROM devices",
        target: "account_devices",
        columns: [text("name"), text("topics"), text("password_hash"), bigint("created_at")],
        keyColumns: 1,
      },
    ],
  },
} as const satisfies Record<string, { file: string; tables: readonly Table[] }>;

export type StoreName = keyof typeof STORES;
export type TableProgress = { table: string; copied: number; total: number };
export type TableResult = { table: string; source: number; found: number };

/** Opening the target's store runs its schema migrations, so the tables exist as the hub would make them. */
async function prepareTarget(store: StoreName, url: string, log: Logger): Promise<void> {
  if (store === "alerts") {
    await (await openPgAlertStore({ url, log })).close();
  } else {
    const accounts = openPgAccountStore({ url, log, backoff: null });
    await accounts.userCount().finally(() => accounts.close());
  }
}

const unnest = (columns: readonly Column[]) => columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(", ");
const columnArrays = (rows: Record<string, unknown>[], columns: readonly Column[]) => columns.map((c) => rows.map((r) => r[c.name]));

/** Copies one store's SQLite file into PostgreSQL; each table is verified by key. */
export async function migrateStoreToPg(opts: {
  store: StoreName;
  sqliteFile: string;
  url: string;
  chunk?: number;
  onProgress?: (p: TableProgress) => void;
  log?: Logger;
}): Promise<TableResult[]> {
  const { store, sqliteFile, url, chunk = 1000, onProgress, log = createLogger("migrate") } = opts;
  await prepareTarget(store, url, log);
  const sqlite = new Database(sqliteFile, { readonly: true, fileMustExist: true });
  const pool = openPool({ url, log, max: 1 });
  try {
    const results: TableResult[] = [];
    for (const table of STORES[store].tables as readonly Table[]) {
      const rows = sqlite.prepare(table.source).all() as Record<string, unknown>[];
      const names = table.columns.map((c) => c.name).join(", ");
      const insert = `INSERT INTO ${table.target} (${names}) SELECT * FROM unnest(${unnest(table.columns)}) ON CONFLICT DO NOTHING`;
      for (let copied = 0; copied < rows.length; ) {
        const part = rows.slice(copied, copied + chunk);
        await inTransaction(pool, (client) => client.query(insert, columnArrays(part, table.columns)));
        copied += part.length;
        onProgress?.({ table: table.label, copied, total: rows.length });
      }
      results.push({ table: table.label, source: rows.length, found: await countFound(pool, table, rows) });
    }
    return results;
  } finally {
    sqlite.close();
    await pool.end();
  }
}

/** How many of the source rows' keys the target holds. */
async function countFound(pool: pg.Pool, table: Table, rows: Record<string, unknown>[]): Promise<number> {
  const key = table.columns.slice(0, table.keyColumns);
  const names = key.map((c) => c.name).join(", ");
  const { rows: counted } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${table.target} JOIN unnest(${unnest(key)}) AS s(${names}) USING (${names})`,
    columnArrays(rows, key),
  );
  return counted[0].n;
}

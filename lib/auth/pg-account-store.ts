// Accounts in PostgreSQL (issue 14), for a hub whose HEARTH_DATABASE_URL names one:
// the same rules as SQLite (account-store.ts), over a small pool. Names compare
// case-insensitively, as SQLite's COLLATE NOCASE does, through unique indexes on
// lower(name). Opened at once whether or not the database answers; until its setup
// has succeeded every call fails fast with database-unreachable (lib/pg/availability.ts).
import type pg from "pg";
import { createLogger, type Logger } from "../log";
import { guardCalls, keepTrying, type Backoff } from "../pg/availability";
import { migrate } from "../pg/migrate";
import { inTransaction, openPool } from "../pg/pool";
import { deviceRow, userRow, type DeviceColumns, type UserColumns } from "./account-columns";
import { createAccountStore, leavesNoAdmin, type AccountRows, type AccountStore, type UserRow } from "./account-store";
import type { Role } from "./roles";

export const ACCOUNT_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE account_users (
    username      text PRIMARY KEY,
    role          text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    password_hash text NOT NULL,
    created_at    bigint NOT NULL
  );
  CREATE UNIQUE INDEX account_users_name ON account_users (lower(username));
  CREATE TABLE account_sessions (
    id         text PRIMARY KEY,
    token_hash text NOT NULL UNIQUE,
    username   text NOT NULL REFERENCES account_users (username) ON DELETE CASCADE ON UPDATE CASCADE,
    created_at bigint NOT NULL,
    expires_at bigint NOT NULL
  );
  CREATE INDEX account_sessions_user ON account_sessions (username);
  CREATE TABLE account_devices (
    name          text PRIMARY KEY,
    topics        text NOT NULL,
    password_hash text NOT NULL,
    created_at    bigint NOT NULL
  );
  CREATE UNIQUE INDEX account_devices_name ON account_devices (lower(name));
  `,
];

export type PgAccountOptions = { url: string; schema?: string; log?: Logger; backoff?: Backoff | null };

/** 23505: unique_violation, a name taken by a racing insert. */
const isUniqueClash = (error: unknown) => (error as { code?: string }).code === "23505";

export function openPgAccountStore(options: PgAccountOptions): AccountStore {
  const { url, schema, log = createLogger("accounts") } = options;
  // Logins and session checks are short; the hub's and the web thread's each have their own pool.
  const pool = openPool({ url, schema, log, max: 3 });
  const availability = keepTrying({
    url,
    store: "accounts",
    log,
    backoff: options.backoff,
    setup: async () => {
      if (schema !== undefined) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await migrate(pool, "accounts", ACCOUNT_MIGRATIONS);
    },
  });
  const use = guardCalls(availability, url);
  const query = <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) => use(() => pool.query<R>(text, values));
  const count = async (text: string) => (await query<{ n: number }>(text)).rows[0].n;

  /**
   * `change` unless it would leave no admin. FOR UPDATE locks every admin row: a racing
   * demotion waits for this one to commit, then reads the admins again (READ COMMITTED
   * re-checks a locked row's new version) and finds only one.
   */
  const unlessLastAdmin = (username: string, role: Role | null, change: [string, unknown[]]) =>
    use(() =>
      inTransaction(pool, async (client) => {
        const admins = await client.query<{ username: string }>("SELECT username FROM account_users WHERE role = 'admin' FOR UPDATE");
        if (leavesNoAdmin(admins.rows.map((a) => a.username), username, role)) return "last-admin" as const;
        await client.query(...change);
        return "ok" as const;
      }),
    );

  const rows: AccountRows = {
    userCount: () => count("SELECT count(*)::int AS n FROM account_users"),
    user: async (username) => {
      const { rows } = await query<UserColumns>("SELECT * FROM account_users WHERE lower(username) = lower($1)", [username]);
      return rows[0] ? userRow(rows[0]) : null;
    },
    users: async () => (await query<UserColumns>("SELECT * FROM account_users ORDER BY lower(username), username")).rows.map(userRow),
    insertUser: (row, firstOnly) =>
      use(() =>
        inTransaction(pool, async (client) => {
          // Serialises first-admin inserts: two onboarding forms racing see each other.
          if (firstOnly) await client.query("LOCK TABLE account_users IN SHARE ROW EXCLUSIVE MODE");
          if (firstOnly && (await client.query("SELECT 1 FROM account_users LIMIT 1")).rowCount! > 0) return "not-first";
          const inserted = await client.query(
            `INSERT INTO account_users (username, role, password_hash, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING`,
            [row.username, row.role, row.passwordHash, row.createdAt],
          );
          return inserted.rowCount === 1 ? "ok" : "taken";
        }),
      ),
    setRole: (username, role) => unlessLastAdmin(username, role, ["UPDATE account_users SET role = $1 WHERE username = $2", [role, username]]),
    deleteUser: (username) => unlessLastAdmin(username, null, ["DELETE FROM account_users WHERE username = $1", [username]]),
    setPassword: (username, hash, keepSession) =>
      use(() =>
        inTransaction(pool, async (client) => {
          await client.query("UPDATE account_users SET password_hash = $1 WHERE username = $2", [hash, username]);
          await client.query("DELETE FROM account_sessions WHERE username = $1 AND id IS DISTINCT FROM $2", [username, keepSession]);
        }),
      ),
    insertSession: async (s) =>
      void (await query("INSERT INTO account_sessions (id, token_hash, username, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)", [
        s.id,
        s.tokenHash,
        s.username,
        s.createdAt,
        s.expiresAt,
      ])),
    sessionByHash: async (hash, now) => {
      const { rows } = await query<{ id: string; username: string; role: string; expires_at: number }>(
        `SELECT s.id, s.username, u.role, s.expires_at FROM account_sessions s JOIN account_users u ON u.username = s.username
         WHERE s.token_hash = $1 AND s.expires_at > $2`,
        [hash, now],
      );
      return rows[0] ? { id: rows[0].id, username: rows[0].username, role: rows[0].role, expiresAt: rows[0].expires_at } : null;
    },
    liveSessionRole: async (id, now) => {
      const { rows } = await query<{ role: string }>(
        "SELECT u.role FROM account_sessions s JOIN account_users u ON u.username = s.username WHERE s.id = $1 AND s.expires_at > $2",
        [id, now],
      );
      return rows[0]?.role ?? null;
    },
    deleteSession: async (hash) => void (await query("DELETE FROM account_sessions WHERE token_hash = $1", [hash])),
    pruneSessions: async (now) => (await query("DELETE FROM account_sessions WHERE expires_at <= $1", [now])).rowCount ?? 0,
    device: async (name) => {
      const { rows } = await query<DeviceColumns>("SELECT * FROM account_devices WHERE lower(name) = lower($1)", [name]);
      return rows[0] ? deviceRow(rows[0]) : null;
    },
    devices: async () => (await query<DeviceColumns>("SELECT * FROM account_devices ORDER BY lower(name), name")).rows.map(deviceRow),
    async insertDevice(row) {
      try {
        await query("INSERT INTO account_devices (name, topics, password_hash, created_at) VALUES ($1, $2, $3, $4)", [
          row.name,
          JSON.stringify(row.topics),
          row.passwordHash,
          row.createdAt,
        ]);
        return "ok";
      } catch (error) {
        if (isUniqueClash((error as { cause?: unknown }).cause ?? error)) return "taken";
        throw error;
      }
    },
    deleteDevice: async (name) => ((await query("DELETE FROM account_devices WHERE lower(name) = lower($1)", [name])).rowCount ?? 0) > 0,
    close: async () => {
      availability.stop();
      await pool.end();
    },
  };
  return createAccountStore(rows);
}

// Accounts in SQLite: accounts.sqlite in the data directory, opened by the hub, its
// web thread and the `npm run hearth` command, which may run beside it (WAL).
import { openDatabase } from "../sqlite";
import { deviceRow, userRow, type DeviceColumns, type UserColumns } from "./account-columns";
import { createAccountStore, leavesNoAdmin, type AccountRows, type AccountStore, type UserRow } from "./account-store";
import type { Role } from "./roles";

export const SQLITE_ACCOUNTS_FILE = "accounts.sqlite";

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE users (
    username      TEXT PRIMARY KEY COLLATE NOCASE,
    role          TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
  );
  CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    username   TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE devices (
    name          TEXT PRIMARY KEY COLLATE NOCASE,
    topics        TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
  );
  `,
];

/** How long a write waits for another connection's (the web thread's, the CLI's) write lock; not the prune's. */
const BUSY_TIMEOUT_MS = 5000;

const isPrimaryKeyClash = (error: unknown) => (error as { code?: string }).code === "SQLITE_CONSTRAINT_PRIMARYKEY";

export function openSqliteAccountStore(file: string): AccountStore {
  const db = openDatabase(file, MIGRATIONS, "accounts");
  db.pragma("foreign_keys = ON");
  // The hub, its web thread and the CLI may write at once; wait for the other rather than fail.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);

  const q = {
    userCount: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM users"),
    admins: db.prepare<[], { username: string }>("SELECT username FROM users WHERE role = 'admin'"),
    user: db.prepare<[string], UserColumns>("SELECT * FROM users WHERE username = ?"),
    users: db.prepare<[], UserColumns>("SELECT * FROM users ORDER BY username"),
    insertUser: db.prepare("INSERT INTO users (username, role, password_hash, created_at) VALUES (?, ?, ?, ?)"),
    setRole: db.prepare("UPDATE users SET role = ? WHERE username = ?"),
    deleteUser: db.prepare("DELETE FROM users WHERE username = ?"),
    setPassword: db.prepare("UPDATE users SET password_hash = ? WHERE username = ?"),
    endSessionsOf: db.prepare("DELETE FROM sessions WHERE username = ? AND id IS NOT ?"),
    insertSession: db.prepare("INSERT INTO sessions (id, token_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?, ?)"),
    sessionByHash: db.prepare<[string, number], { id: string; username: string; role: string; expires_at: number }>(
      `SELECT s.id, s.username, u.role, s.expires_at FROM sessions s JOIN users u ON u.username = s.username
       WHERE s.token_hash = ? AND s.expires_at > ?`,
    ),
    liveSessionRole: db.prepare<[string, number], { role: string }>(
      "SELECT u.role FROM sessions s JOIN users u ON u.username = s.username WHERE s.id = ? AND s.expires_at > ?",
    ),
    deleteSession: db.prepare("DELETE FROM sessions WHERE token_hash = ?"),
    pruneSessions: db.prepare("DELETE FROM sessions WHERE expires_at <= ?"),
    device: db.prepare<[string], DeviceColumns>("SELECT * FROM devices WHERE name = ?"),
    devices: db.prepare<[], DeviceColumns>("SELECT * FROM devices ORDER BY name"),
    insertDevice: db.prepare("INSERT INTO devices (name, topics, password_hash, created_at) VALUES (?, ?, ?, ?)"),
    deleteDevice: db.prepare("DELETE FROM devices WHERE name = ?"),
  };

  const insertUser = db.transaction((row: UserRow, firstOnly: boolean): "ok" | "not-first" => {
    if (firstOnly && q.userCount.get()!.n > 0) return "not-first";
    q.insertUser.run(row.username, row.role, row.passwordHash, row.createdAt);
    return "ok";
  });
  const unlessLastAdmin = (username: string, role: Role | null, change: () => unknown) => {
    if (leavesNoAdmin(q.admins.all().map((a) => a.username), username, role)) return "last-admin" as const;
    change();
    return "ok" as const;
  };
  const setRole = db.transaction((username: string, role: Role) => unlessLastAdmin(username, role, () => q.setRole.run(role, username)));
  const deleteUser = db.transaction((username: string) => unlessLastAdmin(username, null, () => q.deleteUser.run(username)));
  const setPassword = db.transaction((username: string, hash: string, keepSession: string | null) => {
    q.setPassword.run(hash, username);
    q.endSessionsOf.run(username, keepSession);
  });

  // better-sqlite3 answers synchronously; the async functions make its results promises.
  const rows: AccountRows = {
    userCount: async () => q.userCount.get()!.n,
    user: async (username) => {
      const row = q.user.get(username);
      return row ? userRow(row) : null;
    },
    users: async () => q.users.all().map(userRow),
    async insertUser(row, firstOnly) {
      try {
        return insertUser(row, firstOnly);
      } catch (error) {
        if (isPrimaryKeyClash(error)) return "taken";
        throw error;
      }
    },
    // IMMEDIATE: the hub, its web thread and the CLI each have a connection; the write lock is taken before the admins are read.
    setRole: async (username, role) => setRole.immediate(username, role),
    deleteUser: async (username) => deleteUser.immediate(username), // its sessions go with it (ON DELETE CASCADE)
    setPassword: async (username, hash, keepSession) => setPassword(username, hash, keepSession),
    insertSession: async (s) => void q.insertSession.run(s.id, s.tokenHash, s.username, s.createdAt, s.expiresAt),
    sessionByHash: async (hash, now) => {
      const row = q.sessionByHash.get(hash, now);
      return row ? { id: row.id, username: row.username, role: row.role, expiresAt: row.expires_at } : null;
    },
    liveSessionRole: async (id, now) => q.liveSessionRole.get(id, now)?.role ?? null,
    deleteSession: async (hash) => void q.deleteSession.run(hash),
    // The hub's thread prunes (broker/account-upkeep.ts): it must never wait for a write lock the web
    // thread or the CLI holds — under SCHED_IDLE on busy cores the holder may not run for a long
    // while, and busy_timeout would sleep the broker's thread meanwhile (review-17 F3). With no
    // timeout a held lock fails the prune at once with SQLITE_BUSY; the caller tries again later.
    pruneSessions: async (now) => {
      db.pragma("busy_timeout = 0");
      try {
        return q.pruneSessions.run(now).changes;
      } finally {
        db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      }
    },
    device: async (name) => {
      const row = q.device.get(name);
      return row ? deviceRow(row) : null;
    },
    devices: async () => q.devices.all().map(deviceRow),
    async insertDevice(row) {
      try {
        q.insertDevice.run(row.name, JSON.stringify(row.topics), row.passwordHash, row.createdAt);
        return "ok";
      } catch (error) {
        if (isPrimaryKeyClash(error)) return "taken";
        throw error;
      }
    },
    deleteDevice: async (name) => q.deleteDevice.run(name).changes > 0,
    close: async () => void db.close(),
  };
  return createAccountStore(rows);
}

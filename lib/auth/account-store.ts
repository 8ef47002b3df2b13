// Users, their sessions and device accounts: one SQLite file in the data directory
// (accounts.sqlite), opened by the hub and by the `npm run hearth` command, which may
// run beside it (WAL). Passwords are kept as scrypt hashes; session tokens as their
// SHA-256, so a copied database file opens no sessions.
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { checkTopicFilter, type TopicProblem } from "../topics";
import { decoyHash, generatePassword, hashPassword, verifyPassword } from "./password";
import { isRole, type Role } from "./roles";

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

/** What was wrong with a device account's topics, for the forms to word in their language. */
export type TopicsProblem =
  | { problem: "none" }
  | { problem: "invalid"; topic: string; check: TopicProblem }
  | { problem: "too-broad"; topic: string };

export class AccountError extends Error {
  constructor(
    readonly code:
      | "name-invalid"
      | "name-taken"
      | "password-too-short"
      | "role-invalid"
      | "topic-invalid"
      | "not-found"
      | "last-admin"
      | "already-set-up",
    message: string,
    /** With "topic-invalid": which topic and why; the message says the same in English. */
    readonly topics?: TopicsProblem,
  ) {
    super(message);
    this.name = "AccountError";
  }
}

/**
 * instanceof fails across Next's bundles, each with its own copy of this module,
 * so code on the Next side recognises an AccountError by its name and code.
 */
export function isAccountError(error: unknown): error is AccountError {
  return error instanceof Error && error.name === "AccountError" && typeof (error as AccountError).code === "string";
}

export type User = { username: string; role: Role; createdAt: number };
export type Device = { name: string; topics: string[]; createdAt: number };
export type Session = { id: string; username: string; role: Role; expiresAt: number };

export const MIN_PASSWORD_LENGTH = 8;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export type AccountStore = {
  userCount(): number;
  /** `firstOnly`: only while there are no users at all (onboarding), decided atomically. */
  createUser(username: string, password: string, role: Role, options?: { firstOnly?: boolean }): Promise<User>;
  /** The user when the password is right; null for a wrong password and an unknown name alike. */
  verifyUser(username: string, password: string): Promise<User | null>;
  listUsers(): User[];
  setRole(username: string, role: Role): void;
  deleteUser(username: string): void;
  /**
   * A new password for a user; every session of theirs ends but `keepSession`
   * (the one changing their own password stays signed in).
   */
  setPassword(username: string, password: string, options?: { keepSession?: string }): Promise<void>;

  /** A new session; the token goes in the cookie and is stored only as its hash. */
  createSession(username: string, ttlMs: number, now?: number): { token: string; session: Session };
  /** The live session for a cookie's token, or null when unknown or expired. */
  sessionByToken(token: string, now?: number): Session | null;
  /** The user's current role while the session with this id is live (not ended, not expired, its user still there); else null. */
  liveSessionRole(id: string, now?: number): Role | null;
  endSession(token: string): Session | null;
  pruneSessions(now?: number): number;

  /** Creates a device account and returns its password, which is shown once and never stored. */
  createDevice(name: string, topics: string[]): Promise<{ device: Device; password: string }>;
  verifyDevice(name: string, password: string): Promise<Device | null>;
  listDevices(): Device[];
  deleteDevice(name: string): void;

  close(): void;
};

type UserRow = { username: string; role: string; password_hash: string; created_at: number };
type DeviceRow = { name: string; topics: string; password_hash: string; created_at: number };

function checkName(name: string, what: string): void {
  if (!NAME.test(name)) {
    throw new AccountError(
      "name-invalid",
      `${what} must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit (got ${JSON.stringify(name)})`,
    );
  }
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AccountError("password-too-short", `a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  }
}

const sha256 = (token: string) => createHash("sha256").update(token).digest("base64url");

function toUser(row: UserRow): User {
  return { username: row.username, role: isRole(row.role) ? row.role : "viewer", createdAt: row.created_at };
}

function toDevice(row: DeviceRow): Device {
  return { name: row.name, topics: JSON.parse(row.topics) as string[], createdAt: row.created_at };
}

export function openAccountStore(file: string): AccountStore {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  // The hub and the CLI may write at once; wait for the other rather than fail.
  db.pragma("busy_timeout = 5000");
  const version = db.pragma("user_version", { simple: true }) as number;
  for (let i = version; i < MIGRATIONS.length; i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i]);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }

  const q = {
    userCount: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM users"),
    adminCount: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM users WHERE role = 'admin'"),
    user: db.prepare<[string], UserRow>("SELECT * FROM users WHERE username = ?"),
    users: db.prepare<[], UserRow>("SELECT * FROM users ORDER BY username"),
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
    device: db.prepare<[string], DeviceRow>("SELECT * FROM devices WHERE name = ?"),
    devices: db.prepare<[], DeviceRow>("SELECT * FROM devices ORDER BY name"),
    insertDevice: db.prepare("INSERT INTO devices (name, topics, password_hash, created_at) VALUES (?, ?, ?, ?)"),
    deleteDevice: db.prepare("DELETE FROM devices WHERE name = ?"),
  };

  const requireUser = (username: string): UserRow => {
    const row = q.user.get(username);
    if (!row) throw new AccountError("not-found", `there is no user ${JSON.stringify(username)}`);
    return row;
  };
  const keepsAnAdmin = (row: UserRow) => {
    if (row.role === "admin" && q.adminCount.get()!.n <= 1) {
      throw new AccountError("last-admin", "the last admin cannot be removed or demoted; make another admin first");
    }
  };

  return {
    userCount: () => q.userCount.get()!.n,

    async createUser(username, password, role, options = {}) {
      checkName(username, "a username");
      checkPassword(password);
      if (!isRole(role)) throw new AccountError("role-invalid", `role must be viewer, operator or admin (got ${JSON.stringify(role)})`);
      if (q.user.get(username)) throw new AccountError("name-taken", `the username ${JSON.stringify(username)} is taken`);
      const hash = await hashPassword(password);
      const createdAt = Date.now();
      try {
        // The hash took a while; two onboarding forms may have raced here.
        db.transaction(() => {
          if (options.firstOnly && q.userCount.get()!.n > 0) {
            throw new AccountError("already-set-up", "the admin account already exists; log in instead");
          }
          q.insertUser.run(username, role, hash, createdAt);
        })();
      } catch (error) {
        // Two requests raced past the check above; the primary key decided.
        if ((error as { code?: string }).code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
          throw new AccountError("name-taken", `the username ${JSON.stringify(username)} is taken`);
        }
        throw error;
      }
      return { username, role, createdAt };
    },

    async verifyUser(username, password) {
      const row = q.user.get(username);
      const ok = await verifyPassword(password, row?.password_hash ?? (await decoyHash()));
      return row && ok ? toUser(row) : null;
    },

    listUsers: () => q.users.all().map(toUser),

    setRole(username, role) {
      if (!isRole(role)) throw new AccountError("role-invalid", `role must be viewer, operator or admin (got ${JSON.stringify(role)})`);
      const row = requireUser(username);
      if (role !== "admin") keepsAnAdmin(row);
      q.setRole.run(role, row.username);
    },

    deleteUser(username) {
      const row = requireUser(username);
      keepsAnAdmin(row);
      q.deleteUser.run(row.username); // its sessions go with it (ON DELETE CASCADE)
    },

    async setPassword(username, password, options = {}) {
      checkPassword(password);
      const row = requireUser(username);
      const hash = await hashPassword(password);
      db.transaction(() => {
        q.setPassword.run(hash, row.username);
        // Whoever knew the old password is signed out everywhere (the session gate closes their live connections).
        q.endSessionsOf.run(row.username, options.keepSession ?? null);
      })();
    },

    createSession(username, ttlMs, now = Date.now()) {
      const row = requireUser(username);
      const token = randomBytes(32).toString("base64url");
      const id = randomBytes(12).toString("base64url");
      const expiresAt = now + ttlMs;
      q.insertSession.run(id, sha256(token), row.username, now, expiresAt);
      return { token, session: { id, username: row.username, role: toUser(row).role, expiresAt } };
    },

    sessionByToken(token, now = Date.now()) {
      if (!token) return null;
      const row = q.sessionByHash.get(sha256(token), now);
      if (!row) return null;
      return { id: row.id, username: row.username, role: isRole(row.role) ? row.role : "viewer", expiresAt: row.expires_at };
    },

    liveSessionRole(id, now = Date.now()) {
      const row = q.liveSessionRole.get(id, now);
      return row ? (isRole(row.role) ? row.role : "viewer") : null;
    },

    endSession(token) {
      const session = this.sessionByToken(token);
      q.deleteSession.run(sha256(token));
      return session;
    },

    pruneSessions: (now = Date.now()) => q.pruneSessions.run(now).changes,

    async createDevice(name, topics) {
      checkName(name, "a device name");
      if (topics.length === 0) {
        throw new AccountError("topic-invalid", "a device account needs at least one topic filter", { problem: "none" });
      }
      for (const topic of topics) {
        const check = checkTopicFilter(topic);
        if (!check.ok) {
          const { ok: _, ...problem } = check;
          throw new AccountError("topic-invalid", `topic filter ${JSON.stringify(topic)}: ${check.reason}`, { problem: "invalid", topic, check: problem });
        }
        if (topic.startsWith("$") || topic.startsWith("#") || topic.startsWith("+")) {
          const message = `topic filter ${JSON.stringify(topic)} is too broad for one device; name its first level`;
          throw new AccountError("topic-invalid", message, { problem: "too-broad", topic });
        }
      }
      if (q.device.get(name)) throw new AccountError("name-taken", `there is already a device ${JSON.stringify(name)}`);
      const password = generatePassword();
      const createdAt = Date.now();
      q.insertDevice.run(name, JSON.stringify(topics), await hashPassword(password), createdAt);
      return { device: { name, topics, createdAt }, password };
    },

    async verifyDevice(name, password) {
      const row = q.device.get(name);
      const ok = await verifyPassword(password, row?.password_hash ?? (await decoyHash()));
      return row && ok ? toDevice(row) : null;
    },

    listDevices: () => q.devices.all().map(toDevice),

    deleteDevice(name) {
      if (q.deleteDevice.run(name).changes === 0) throw new AccountError("not-found", `there is no device ${JSON.stringify(name)}`);
    },

    close: () => db.close(),
  };
}

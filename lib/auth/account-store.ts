// Users, their sessions and device accounts, behind one async interface with two
// implementations (issue 14): SQLite in the data directory (sqlite-account-store.ts,
// accounts.sqlite) and PostgreSQL (pg-account-store.ts). Each supplies only its rows
// (AccountRows); every rule — names, passwords, the last admin, topics, hashing —
// lives here once (the input checks in account-checks.ts), so both behave the same
// (account-store-contract.ts proves it).
// Passwords are kept as scrypt hashes; session tokens as their SHA-256, so a copied
// database opens no sessions.
import { createHash, randomBytes } from "node:crypto";
import { databaseFaultCode } from "../database-fault";
import { decoyHash, generatePassword, hashPassword, verifyPassword } from "./password";
import { isRole, type Role } from "./roles";
import { AccountError, checkDeviceTopics, checkName, checkPassword, checkRole } from "./account-checks";
import { createSessionMemory } from "./session-memory";

export { AccountError, isAccountError, MIN_PASSWORD_LENGTH, type TopicsProblem } from "./account-checks";

export type User = { username: string; role: Role; createdAt: number };
export type Device = { name: string; topics: string[]; createdAt: number };
export type Session = { id: string; username: string; role: Role; expiresAt: number };
/** A logout as the threads tell each other of it: the token's hash, and the session's id when known. */
export type EndedSession = { tokenHash: string; sessionId: string | null };

/** Every call may wait on a database: SQLite answers at once, PostgreSQL after a round trip. */
export type AccountStore = {
  userCount(): Promise<number>;
  /** `firstOnly`: only while there are no users at all (onboarding), decided atomically. */
  createUser(username: string, password: string, role: Role, options?: { firstOnly?: boolean }): Promise<User>;
  /** The user when the password is right; null for a wrong password and an unknown name alike. */
  verifyUser(username: string, password: string): Promise<User | null>;
  listUsers(): Promise<User[]>;
  setRole(username: string, role: Role): Promise<void>;
  deleteUser(username: string): Promise<void>;
  /**
   * A new password for a user; every session of theirs ends but `keepSession`
   * (the one changing their own password stays signed in).
   */
  setPassword(username: string, password: string, options?: { keepSession?: string }): Promise<void>;

  /** A new session; the token goes in the cookie and is stored only as its hash. */
  createSession(username: string, ttlMs: number, now?: number): Promise<{ token: string; session: Session }>;
  /**
   * The live session for a cookie's token, or null when unknown or expired. While the
   * database is unreachable, a session this process saw live is still answered until
   * it expires (nobody can end it meanwhile): the dashboard stays up through an outage.
   */
  sessionByToken(token: string, now?: number): Promise<Session | null>;
  /** The user's current role while the session with this id is live (not ended, not expired, its user still there); else null. */
  liveSessionRole(id: string, now?: number): Promise<Role | null>;
  /**
   * Ends the session: never answered again, even while the database is away; its row
   * is deleted now or, when the database cannot be reached, at a later call.
   */
  endSession(token: string): Promise<Session | null>;
  /**
   * The user's role, password or account was changed by another thread's store (the
   * web thread's, for this hub thread's): what is remembered of their sessions for an
   * outage is stale. Their next session check reads the database again.
   */
  forgetUser(username: string): void;
  /**
   * The session was ended by another thread's store (a logout; `sessionId` null when that
   * thread had not seen it): never answered again, its row deleted once the database
   * answers. Returns its id, as given or as remembered for the token, to close its connections.
   */
  endedElsewhere(tokenHash: string, sessionId: string | null): string | null;
  /** Ended sessions whose row is not deleted yet, for a new web thread to refuse too (review 6, #5). */
  undeletedSessions(): EndedSession[];
  pruneSessions(now?: number): Promise<number>;

  /** Creates a device account and returns its password, which is shown once and never stored. */
  createDevice(name: string, topics: string[]): Promise<{ device: Device; password: string }>;
  verifyDevice(name: string, password: string): Promise<Device | null>;
  listDevices(): Promise<Device[]>;
  deleteDevice(name: string): Promise<void>;

  close(): Promise<void>;
};

export type UserRow = { username: string; role: string; passwordHash: string; createdAt: number };
export type DeviceRow = { name: string; topics: string[]; passwordHash: string; createdAt: number };
export type SessionRow = { id: string; username: string; role: string; expiresAt: number };

/** What a database must do for the accounts; names compare case-insensitively. */
export type AccountRows = {
  userCount(): Promise<number>;
  user(username: string): Promise<UserRow | null>;
  /** By name, case-insensitively. */
  users(): Promise<UserRow[]>;
  /** Atomically: "taken" when the name is, "not-first" when `firstOnly` and a user exists. */
  insertUser(row: UserRow, firstOnly: boolean): Promise<"ok" | "taken" | "not-first">;
  /**
   * The last-admin rule (leavesNoAdmin) checked and the change made in one step, so two
   * admins demoting or deleting each other at once cannot both succeed; "last-admin"
   * changes nothing. Its sessions go with a deleted user.
   */
  setRole(username: string, role: Role): Promise<"ok" | "last-admin">;
  deleteUser(username: string): Promise<"ok" | "last-admin">;
  /** The new hash and, in the same transaction, every session of the user's but `keepSession` ended. */
  setPassword(username: string, hash: string, keepSession: string | null): Promise<void>;
  insertSession(session: { id: string; tokenHash: string; username: string; createdAt: number; expiresAt: number }): Promise<void>;
  sessionByHash(tokenHash: string, now: number): Promise<SessionRow | null>;
  liveSessionRole(id: string, now: number): Promise<string | null>;
  deleteSession(tokenHash: string): Promise<void>;
  pruneSessions(now: number): Promise<number>;
  device(name: string): Promise<DeviceRow | null>;
  /** By name, case-insensitively. */
  devices(): Promise<DeviceRow[]>;
  insertDevice(row: DeviceRow): Promise<"ok" | "taken">;
  /** False when there was none. */
  deleteDevice(name: string): Promise<boolean>;
  close(): Promise<void>;
};

export const sha256 = (token: string) => createHash("sha256").update(token).digest("base64url");
const roleOf = (role: string): Role => (isRole(role) ? role : "viewer");
const toUser = (row: UserRow): User => ({ username: row.username, role: roleOf(row.role), createdAt: row.createdAt });
const toDevice = (row: DeviceRow): Device => ({ name: row.name, topics: row.topics, createdAt: row.createdAt });

/**
 * Whether `username` becoming `role` (null: deleted) leaves no admin, given every admin's
 * name as read, under a lock, in the transaction that makes the change.
 */
export function leavesNoAdmin(admins: readonly string[], username: string, role: Role | null): boolean {
  return role !== "admin" && admins.length <= 1 && admins.includes(username);
}

/** The accounts' rules over `rows`. */
export function createAccountStore(rows: AccountRows): AccountStore {
  const memory = createSessionMemory();

  const requireUser = async (username: string): Promise<UserRow> => {
    const row = await rows.user(username);
    if (!row) throw new AccountError("not-found", `there is no user ${JSON.stringify(username)}`);
    return row;
  };
  const keepsAnAdmin = (outcome: "ok" | "last-admin") => {
    if (outcome === "last-admin") throw new AccountError("last-admin", "the last admin cannot be removed or demoted; make another admin first");
  };
  /** Deletes the rows of sessions ended while the database was away; stops at the first that still fails. */
  const deleteEach = async () => {
    for (const { tokenHash: hash } of memory.undeleted()) {
      try {
        await rows.deleteSession(hash);
        memory.deleted(hash);
      } catch {
        return;
      }
    }
  };
  let deleting: Promise<void> | null = null;
  /** One pass at a time: a new web thread hands over up to 1000 logouts at once. */
  const deleteEndedRows = () => (deleting ??= deleteEach().finally(() => (deleting = null)));
  const sessionByToken = async (token: string, now = Date.now()): Promise<Session | null> => {
    if (!token) return null;
    const hash = sha256(token);
    await deleteEndedRows();
    if (memory.isEnded(hash, null)) return null;
    const mark = memory.mark();
    try {
      const row = await rows.sessionByHash(hash, now);
      const session = row && !memory.isEnded(hash, row.id) ? { id: row.id, username: row.username, role: roleOf(row.role), expiresAt: row.expiresAt } : null;
      memory.remember(hash, session, mark);
      return session;
    } catch (error) {
      const known = memory.recall(hash);
      if (databaseFaultCode(error) === "database-unreachable" && known !== undefined && known.expiresAt > now) return known;
      throw error;
    }
  };

  return {
    userCount: () => rows.userCount(),

    async createUser(username, password, role, options = {}) {
      checkName(username, "a username");
      checkPassword(password);
      checkRole(role);
      if (await rows.user(username)) throw new AccountError("name-taken", `the username ${JSON.stringify(username)} is taken`);
      const row = { username, role, passwordHash: await hashPassword(password), createdAt: Date.now() };
      // The hash took a while; two onboarding forms may have raced here, and the database decides.
      const outcome = await rows.insertUser(row, options.firstOnly ?? false);
      if (outcome === "not-first") throw new AccountError("already-set-up", "the admin account already exists; log in instead");
      if (outcome === "taken") throw new AccountError("name-taken", `the username ${JSON.stringify(username)} is taken`);
      return toUser(row);
    },

    async verifyUser(username, password) {
      const row = await rows.user(username);
      const ok = await verifyPassword(password, row?.passwordHash ?? (await decoyHash()));
      return row && ok ? toUser(row) : null;
    },

    listUsers: async () => (await rows.users()).map(toUser),

    async setRole(username, role) {
      checkRole(role);
      const row = await requireUser(username);
      keepsAnAdmin(await rows.setRole(row.username, role));
      memory.forgetUser(row.username);
    },

    async deleteUser(username) {
      const row = await requireUser(username);
      keepsAnAdmin(await rows.deleteUser(row.username));
      memory.forgetUser(row.username);
    },

    async setPassword(username, password, options = {}) {
      checkPassword(password);
      const row = await requireUser(username);
      // Whoever knew the old password is signed out everywhere (the session gate closes their live connections).
      await rows.setPassword(row.username, await hashPassword(password), options.keepSession ?? null);
      memory.forgetUser(row.username);
    },

    async createSession(username, ttlMs, now = Date.now()) {
      const row = await requireUser(username);
      const token = randomBytes(32).toString("base64url");
      const id = randomBytes(12).toString("base64url");
      const expiresAt = now + ttlMs;
      await rows.insertSession({ id, tokenHash: sha256(token), username: row.username, createdAt: now, expiresAt });
      return { token, session: { id, username: row.username, role: roleOf(row.role), expiresAt } };
    },

    sessionByToken,

    async liveSessionRole(id, now = Date.now()) {
      await deleteEndedRows();
      if (memory.isEnded(null, id)) return null;
      const role = await rows.liveSessionRole(id, now);
      return role === null ? null : roleOf(role);
    },

    async endSession(token) {
      const hash = sha256(token);
      // Logging out must work while the database is away (review 5, finding 10): the
      // session is known from before, or not at all; either way it ends here now.
      const session = await sessionByToken(token).catch((error) => {
        if (databaseFaultCode(error) === null) throw error;
        return null;
      });
      try {
        await rows.deleteSession(hash);
        memory.end(hash, session?.id ?? null);
      } catch (error) {
        if (databaseFaultCode(error) === null) throw error;
        memory.end(hash, session?.id ?? null, true);
      }
      return session;
    },

    forgetUser: (username) => memory.forgetUser(username),
    endedElsewhere(tokenHash, sessionId) {
      const id = sessionId ?? memory.recall(tokenHash)?.id ?? null;
      // Whether that thread deleted the row or not, this one deletes it (again) when it can.
      memory.end(tokenHash, id, true);
      void deleteEndedRows();
      return id;
    },
    undeletedSessions: () => memory.undeleted(),

    async pruneSessions(now = Date.now()) {
      await deleteEndedRows();
      return rows.pruneSessions(now);
    },

    async createDevice(name, topics) {
      checkName(name, "a device name");
      checkDeviceTopics(topics);
      if (await rows.device(name)) throw new AccountError("name-taken", `there is already a device ${JSON.stringify(name)}`);
      const password = generatePassword();
      const row = { name, topics, passwordHash: await hashPassword(password), createdAt: Date.now() };
      if ((await rows.insertDevice(row)) === "taken") throw new AccountError("name-taken", `there is already a device ${JSON.stringify(name)}`);
      return { device: toDevice(row), password };
    },

    async verifyDevice(name, password) {
      const row = await rows.device(name);
      const ok = await verifyPassword(password, row?.passwordHash ?? (await decoyHash()));
      return row && ok ? toDevice(row) : null;
    },

    listDevices: async () => (await rows.devices()).map(toDevice),

    async deleteDevice(name) {
      if (!(await rows.deleteDevice(name))) throw new AccountError("not-found", `there is no device ${JSON.stringify(name)}`);
    },

    close: () => rows.close(),
  };
}

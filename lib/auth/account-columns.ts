// The account tables' columns as both databases name them, and the rows they make
// (account-store.ts AccountRows): one mapping for SQLite and PostgreSQL.
import type { DeviceRow, UserRow } from "./account-store";

export type UserColumns = { username: string; role: string; password_hash: string; created_at: number };
export type DeviceColumns = { name: string; topics: string; password_hash: string; created_at: number };

export const userRow = (r: UserColumns): UserRow => ({ username: r.username, role: r.role, passwordHash: r.password_hash, createdAt: r.created_at });

/** A device's topics are kept as a JSON array. */
export const deviceRow = (r: DeviceColumns): DeviceRow => ({
  name: r.name,
  topics: JSON.parse(r.topics) as string[],
  passwordHash: r.password_hash,
  createdAt: r.created_at,
});

// Numbered schema migrations for the PostgreSQL stores (issue 14), the counterpart of
// lib/sqlite.ts's `user_version`: one row per store in hearth_schema says how many
// steps have run. Steps only ever grow: append new ones, never edit old ones.
import type pg from "pg";
import { inTransaction } from "./pool";

/**
 * Runs the steps this database has not seen yet, in one transaction. One advisory lock
 * for every store keeps two processes starting at once (the hub and the web thread)
 * from running the same step twice, and the stores opening together from racing to
 * create hearth_schema (CREATE TABLE IF NOT EXISTS is not safe against itself: the
 * loser fails on pg_type's unique index).
 */
export async function migrate(pool: pg.Pool, store: string, steps: readonly string[]): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('hearth-schema'))");
    await client.query("CREATE TABLE IF NOT EXISTS hearth_schema (store text PRIMARY KEY, version integer NOT NULL)");
    const { rows } = await client.query<{ version: number }>("SELECT version FROM hearth_schema WHERE store = $1", [store]);
    const version = rows[0]?.version ?? 0;
    if (version > steps.length) {
      throw new Error(`${store}: schema version ${version} is newer than this Hearth understands (${steps.length})`);
    }
    for (let v = version; v < steps.length; v++) await client.query(steps[v]);
    await client.query(
      `INSERT INTO hearth_schema (store, version) VALUES ($1, $2)
       ON CONFLICT (store) DO UPDATE SET version = excluded.version`,
      [store, steps.length],
    );
  });
}

// `npm run hearth -- migrate --to postgres://…` (issue 14): copies a SQLite data
// directory's history into PostgreSQL, tier by tier, in chunks.
//
// Resumable, with no duplicates: each chunk is written in one transaction together
// with how far the copy has got (hearth_migration, keyed by the source file), so a
// copy stopped anywhere continues after its last committed chunk. Roll-ups are
// copied as they are, not rebuilt: their raw readings may be long pruned.
//
// Verified at the end: the target holds what it held before the first run plus every
// source reading (raw rows; and per roll-up tier, the readings its rows summarise).
import type Database from "better-sqlite3";
import type pg from "pg";
import { createLogger, type Logger } from "../log";
import { inTransaction, openPool } from "../pg/pool";
import { createPartition, dayOf, partitionDays } from "./pg-schema";
import { openPgHistory } from "./pg-store";
import { openDatabase } from "./sqlite-schema";
import * as q from "./migrate-queries";

export type Tally = { raw: number; minute: number; hour: number };
export type MigrateProgress = { table: keyof Tally; copied: number; total: number };
export type MigrateResult = { source: Tally; copiedNow: Tally; target: Tally; expected: Tally; verified: boolean };

export type MigrateOptions = {
  sqliteFile: string;
  url: string;
  /** Rows per transaction. */
  chunk?: number;
  onProgress?: (p: MigrateProgress) => void;
  /** Stops between chunks; a later run continues. */
  signal?: AbortSignal;
  log?: Logger;
};

const TABLES = [
  { key: "raw", sqlite: "readings" },
  { key: "minute", sqlite: "rollup_minute" },
  { key: "hour", sqlite: "rollup_hour" },
] as const;

export async function migrateHistoryToPg(options: MigrateOptions): Promise<MigrateResult> {
  const { sqliteFile, url, chunk = 10_000, onProgress, signal, log = createLogger("migrate") } = options;
  // Opening the target as a store runs its migrations and makes today's partitions.
  const store = openPgHistory({ url, log, backoff: null });
  await store.topics().finally(() => store.close());

  const sqlite = openDatabase(sqliteFile);
  const pool = openPool({ url, log, max: 1 });
  try {
    await pool.query(q.CREATE_PROGRESS);
    const source = sourceTally(sqlite);
    const baseline = await startOrResume(pool, sqliteFile);
    const ids = await copyTopics(sqlite, pool);
    const days = new Set(await partitionDays(pool));
    const copiedNow: Tally = { raw: 0, minute: 0, hour: 0 };

    for (const { key, sqlite: table } of TABLES) {
      const total = (sqlite.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number);
      let after = await lastKey(pool, sqliteFile, key);
      let copied = (await pool.query<{ copied: number }>(q.COPIED, [sqliteFile, key])).rows[0]?.copied ?? 0;
      const read = sqlite.prepare(key === "raw" ? q.SQLITE_READINGS_AFTER : q.sqliteRollupsAfter(table));
      for (;;) {
        if (signal?.aborted) return await finish(false);
        const params = key === "raw" ? { a: after[0], limit: chunk } : { a: after[0], b: after[1], limit: chunk };
        const rows = read.all(params) as q.SourceRow[];
        if (rows.length === 0) break;
        if (key === "raw") {
          for (const day of new Set(rows.map((r) => dayOf(r.ts)))) {
            if (!days.has(day)) await createPartition(pool, day);
            days.add(day);
          }
        }
        const last = rows[rows.length - 1];
        after = key === "raw" ? [last.rowid, 0] : [last.topic_id, last.start];
        await inTransaction(pool, async (client) => {
          await writeChunk(client, key, rows, ids);
          await client.query(q.SAVE_PROGRESS, [sqliteFile, key, after[0], after[1], rows.length]);
        });
        copied += rows.length;
        copiedNow[key] += rows.length;
        onProgress?.({ table: key, copied, total });
      }
    }
    // The source's prune cutoffs: its older ranges are answered from the roll-ups there too.
    await pool.query(q.COPY_HORIZONS, horizonParams(sqlite));
    return await finish(true);

    async function finish(done: boolean): Promise<MigrateResult> {
      const target = await targetTally(pool);
      const expected = { raw: baseline.raw + source.raw, minute: baseline.minute + source.minute, hour: baseline.hour + source.hour };
      const verified = done && target.raw === expected.raw && target.minute === expected.minute && target.hour === expected.hour;
      return { source, copiedNow, target, expected, verified };
    }
  } finally {
    sqlite.close();
    await pool.end();
  }
}

/** Raw rows, and per roll-up tier the readings its rows summarise (sum of count). */
function sourceTally(db: Database.Database): Tally {
  return db.prepare(q.SQLITE_TALLY).get() as Tally;
}

async function targetTally(pool: pg.Pool): Promise<Tally> {
  return (await pool.query<Tally>(q.PG_TALLY)).rows[0];
}

/** The target's tally before the first run of this source; recorded once, then read back. */
async function startOrResume(pool: pg.Pool, source: string): Promise<Tally> {
  const found = await pool.query<Tally>(q.BASELINE, [source]);
  if (found.rows.length > 0) return found.rows[0];
  const baseline = await targetTally(pool);
  await pool.query(q.SAVE_BASELINE, [source, baseline.raw, baseline.minute, baseline.hour]);
  return baseline;
}

async function lastKey(pool: pg.Pool, source: string, table: string): Promise<[number, number]> {
  const { rows } = await pool.query<{ a: number; b: number }>(q.LAST_KEY, [source, table]);
  return rows.length > 0 ? [rows[0].a, rows[0].b] : [-1, -1];
}

/** Every source topic in the target (a topic already there keeps its id and unit): SQLite id → PostgreSQL id. */
async function copyTopics(sqlite: Database.Database, pool: pg.Pool): Promise<Map<number, number>> {
  const topics = sqlite.prepare("SELECT id, topic, unit FROM topics").all() as { id: number; topic: string; unit: string }[];
  await pool.query(q.INSERT_TOPICS, [topics.map((t) => t.topic), topics.map((t) => t.unit)]);
  const { rows } = await pool.query<{ id: number; topic: string }>("SELECT id, topic FROM topics WHERE topic = ANY($1)", [
    topics.map((t) => t.topic),
  ]);
  const pgId = new Map(rows.map((r) => [r.topic, r.id]));
  return new Map(topics.map((t) => [t.id, pgId.get(t.topic)!]));
}

async function writeChunk(client: pg.PoolClient, key: keyof Tally, rows: q.SourceRow[], ids: Map<number, number>) {
  const id = (r: q.SourceRow) => ids.get(r.topic_id)!;
  if (key === "raw") {
    await client.query(q.INSERT_READINGS, [rows.map(id), rows.map((r) => r.ts), rows.map((r) => r.value)]);
  } else {
    await client.query(q.mergeRollups(key), [
      rows.map(id),
      rows.map((r) => r.start),
      rows.map((r) => r.min),
      rows.map((r) => r.max),
      rows.map((r) => r.sum),
      rows.map((r) => r.count),
    ]);
  }
}

function horizonParams(sqlite: Database.Database): unknown[] {
  const rows = sqlite.prepare("SELECT tier, before FROM tier_horizons").all() as { tier: string; before: number }[];
  return [rows.map((r) => r.tier), rows.map((r) => r.before)];
}

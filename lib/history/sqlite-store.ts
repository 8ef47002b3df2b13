// The default history store: one SQLite file in the data directory, in WAL mode so
// the recorder's writes never block the dashboard's reads.
//
// Choices every HistoryStore shares (store-contract.ts proves them):
// - a bucketed point's `t` is the start of its bucket, `from + i * bucketMs`, so
//   two series queried over the same range and budget line up on one chart;
// - roll-up rows are assigned to the output bucket their own start falls in, so with
//   a `from` that is not on a minute (hour) boundary a bucket's edges are off by up
//   to one roll-up row: invisible at the zoom levels that read roll-ups;
// - a value that is not a finite number makes `append` throw and store nothing
//   (here the schema enforces it: SQLite binds NaN as NULL, and ±Infinity fails the CHECK);
// - the unit is kept per topic, the one its last appended reading carried.
import { statSync } from "node:fs";
import { setImmediate as nextTurn } from "node:timers/promises";
import type Database from "better-sqlite3";
import type { Reading } from "../readings";
import { parseHomeTopic } from "../topics";
import { rollupBatch, TIER_WIDTH_MS, type Rollup } from "./rollup";
import { checkCount, checkRange } from "./query-checks";
import { openDatabase } from "./sqlite-schema";
import type { HistoryPoint, HistorySeries, HistoryStore, LatestReading, PruneCounts, Tier } from "./store";
import { chooseTier, type Horizons } from "./tiers";

type TopicRow = { id: number; unit: string };
type RollupTier = Exclude<Tier, "raw">;
const ROLLUP_TABLE: Readonly<Record<RollupTier, string>> = { minute: "rollup_minute", hour: "rollup_hour" };

/** Rows deleted per prune step; each step is a short transaction the recorder can write between. */
const PRUNE_CHUNK = 5000;

export function openSqliteHistory(file: string): HistoryStore {
  const db = openDatabase(file);
  const statements = prepare(db);
  const rollupStatements = {
    minute: prepareRollup(db, ROLLUP_TABLE.minute),
    hour: prepareRollup(db, ROLLUP_TABLE.hour),
  };

  /** topic → its row, for topics whose row is known to be committed. */
  const topics = new Map<string, TopicRow>();
  const horizons: Record<Tier, number> = { raw: 0, minute: 0, hour: 0 };
  for (const { tier, before } of statements.horizons.all()) horizons[tier as Tier] = before;

  // Rows written inside the transaction reach the cache only after it commits: a
  // rolled-back topic id may be handed to a different topic by the next insert.
  const insertBatch = db.transaction((readings: readonly Reading[]): Map<string, TopicRow> => {
    const touched = new Map<string, TopicRow>();
    for (const reading of readings) {
      let row = touched.get(reading.topic) ?? topics.get(reading.topic);
      if (row === undefined) {
        row = { id: statements.upsertTopic.get(reading.topic, reading.unit)!.id, unit: reading.unit };
      } else if (row.unit !== reading.unit) {
        statements.setUnit.run(reading.unit, row.id);
        row = { id: row.id, unit: reading.unit };
      }
      touched.set(reading.topic, row);
      // Whole milliseconds keep the column INTEGER and the bucket arithmetic exact.
      statements.insertReading.run(row.id, Math.round(reading.ts), reading.value);
    }
    // Built as data arrives: one upsert per topic and minute (hour) the batch touches.
    for (const tier of ["minute", "hour"] as const) {
      for (const r of rollupBatch(readings, TIER_WIDTH_MS[tier])) {
        rollupStatements[tier].upsert.run(rollupParams(touched.get(r.topic)!.id, r));
      }
    }
    return touched;
  });

  const setHorizon = db.transaction((tier: Tier, before: number) => {
    if (before <= horizons[tier]) return;
    statements.setHorizon.run(tier, before);
    horizons[tier] = before;
  });

  /** Deletes in chunks, yielding between them, so a big prune never stalls live traffic. */
  async function pruneTier(tier: Tier, before: number, signal: AbortSignal | undefined): Promise<number> {
    const step = tier === "raw" ? statements.pruneRawChunk : rollupStatements[tier].pruneChunk;
    // The horizon moves first: from now on queries stop reading what is about to go.
    setHorizon(tier, before);
    let deleted = 0;
    for (const id of statements.topicIds.all()) {
      for (;;) {
        if (signal?.aborted) return deleted;
        const { changes } = step.run({ id, before, limit: PRUNE_CHUNK });
        deleted += changes;
        if (changes < PRUNE_CHUNK) break;
        await nextTurn();
      }
    }
    return deleted;
  }

  return {
    async append(readings) {
      if (readings.length === 0) return;
      for (const [topic, row] of insertBatch(readings)) topics.set(topic, row);
    },

    async query(q) {
      checkRange(q.from, q.to);
      checkCount("maxPoints", q.maxPoints);
      const { topic, from, to, maxPoints } = q;
      const empty: HistorySeries = { topic, unit: "", from, to, bucketMs: 0, tier: "raw", points: [] };
      const row = statements.findTopic.get(topic);
      if (row === undefined || from > to) return empty;

      const choice = chooseTier(from, to, maxPoints, horizons as Horizons);
      if (from >= horizons.raw) {
        // One row past the budget tells "fits raw" from "needs buckets" without counting the whole range.
        const raw = statements.rawRange.all({ id: row.id, from, to, limit: maxPoints + 1 });
        if (raw.length === 0) return empty;
        if (raw.length <= maxPoints) return { ...empty, unit: row.unit, points: raw };
      }
      const { tier, bucketMs } = choice;
      const params = { id: row.id, from, to, bucketMs };
      const rows =
        tier === "raw"
          ? statements.bucketedRaw.all(params)
          : rollupStatements[tier].bucketed.all({ ...params, alignedFrom: from - (from % TIER_WIDTH_MS[tier]) });
      const points: HistoryPoint[] = rows.map(({ bucket, v, min, max }) => ({ t: from + bucket * bucketMs, v, min, max }));
      if (points.length === 0) return empty;
      return { ...empty, unit: row.unit, bucketMs, tier, points };
    },

    async readRaw({ topic, from, to, limit }) {
      checkRange(from, to);
      checkCount("limit", limit);
      const row = statements.findTopic.get(topic);
      if (row === undefined) return [];
      return statements.rawRange.all({ id: row.id, from, to, limit });
    },

    async topics() {
      return statements.topics.all();
    },

    async latest() {
      const out: LatestReading[] = [];
      for (const { topic, unit, ts, value } of statements.latest.all()) {
        const parsed = parseHomeTopic(topic);
        if (parsed?.kind !== "measurement") continue;
        out.push({ topic, room: parsed.room, measurement: parsed.measurement, value, unit, ts });
      }
      return out;
    },

    async prune(cutoffs, { signal } = {}) {
      const counts: PruneCounts = { raw: 0, minute: 0, hour: 0 };
      for (const tier of ["raw", "minute", "hour"] as const) {
        const before = cutoffs[tier];
        if (before !== undefined) counts[tier] = await pruneTier(tier, before, signal);
      }
      return counts;
    },

    async size() {
      const count = (table: string) => (db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number);
      return {
        bytes: bytesOnDisk(db, file),
        freeBytes: (db.pragma("freelist_count", { simple: true }) as number) * (db.pragma("page_size", { simple: true }) as number),
        topics: count("topics"),
        rows: { raw: count("readings"), minute: count(ROLLUP_TABLE.minute), hour: count(ROLLUP_TABLE.hour) },
      };
    },

    async close() {
      db.close();
    },
  };
}

// SQLite binds every JS number as REAL, so the bucket arithmetic casts its
// parameters to INTEGER to get integer division.
function prepare(db: Database.Database) {
  return {
    findTopic: db.prepare<[string], TopicRow>("SELECT id, unit FROM topics WHERE topic = ?"),
    upsertTopic: db.prepare<[string, string], { id: number }>(
      "INSERT INTO topics (topic, unit) VALUES (?, ?) ON CONFLICT (topic) DO UPDATE SET unit = excluded.unit RETURNING id",
    ),
    setUnit: db.prepare<[string, number]>("UPDATE topics SET unit = ? WHERE id = ?"),
    insertReading: db.prepare<[number, number, number]>("INSERT INTO readings (topic_id, ts, value) VALUES (?, ?, ?)"),
    rawRange: db.prepare<{ id: number; from: number; to: number; limit: number }, { t: number; v: number }>(
      "SELECT ts AS t, value AS v FROM readings WHERE topic_id = @id AND ts BETWEEN @from AND @to ORDER BY ts, rowid LIMIT @limit",
    ),
    bucketedRaw: db.prepare<{ id: number; from: number; to: number; bucketMs: number }, BucketRow>(
      `SELECT (ts - CAST(@from AS INTEGER)) / CAST(@bucketMs AS INTEGER) AS bucket,
              avg(value) AS v, min(value) AS min, max(value) AS max
         FROM readings
        WHERE topic_id = @id AND ts BETWEEN @from AND @to
        GROUP BY bucket
        ORDER BY bucket`,
    ),
    // A correlated subquery per topic: one index seek each, not a scan of every reading.
    latest: db.prepare<[], { topic: string; unit: string; ts: number; value: number }>(
      `SELECT t.topic, t.unit, r.ts, r.value
         FROM topics t
         JOIN readings r ON r.rowid = (
           SELECT rowid FROM readings WHERE topic_id = t.id ORDER BY ts DESC, rowid DESC LIMIT 1
         )
        ORDER BY t.topic`,
    ),
    topics: db.prepare<[], { topic: string; unit: string }>("SELECT topic, unit FROM topics ORDER BY topic"),
    topicIds: db.prepare<[], number>("SELECT id FROM topics").pluck(),
    pruneRawChunk: db.prepare<{ id: number; before: number; limit: number }>(
      `DELETE FROM readings WHERE rowid IN (
         SELECT rowid FROM readings WHERE topic_id = @id AND ts < @before LIMIT @limit)`,
    ),
    horizons: db.prepare<[], { tier: string; before: number }>("SELECT tier, before FROM tier_horizons"),
    setHorizon: db.prepare<[string, number]>(
      "INSERT INTO tier_horizons (tier, before) VALUES (?, ?) ON CONFLICT (tier) DO UPDATE SET before = excluded.before",
    ),
  };
}

type BucketRow = { bucket: number; v: number; min: number; max: number };
type RollupParams = { id: number; start: number; min: number; max: number; sum: number; count: number };

function prepareRollup(db: Database.Database, table: string) {
  return {
    upsert: db.prepare<RollupParams>(
      `INSERT INTO ${table} (topic_id, start, min, max, sum, count) VALUES (@id, @start, @min, @max, @sum, @count)
       ON CONFLICT (topic_id, start) DO UPDATE SET
         min = min(min, excluded.min), max = max(max, excluded.max),
         sum = sum + excluded.sum, count = count + excluded.count`,
    ),
    // Rows starting before `from` but inside its roll-up row belong to the first bucket;
    // SQLite's integer division truncates toward zero, which puts them there.
    bucketed: db.prepare<{ id: number; from: number; alignedFrom: number; to: number; bucketMs: number }, BucketRow>(
      `SELECT (start - CAST(@from AS INTEGER)) / CAST(@bucketMs AS INTEGER) AS bucket,
              sum(sum) / sum(count) AS v, min(min) AS min, max(max) AS max
         FROM ${table}
        WHERE topic_id = @id AND start BETWEEN @alignedFrom AND @to
        GROUP BY bucket
        ORDER BY bucket`,
    ),
    pruneChunk: db.prepare<{ id: number; before: number; limit: number }>(
      `DELETE FROM ${table} WHERE topic_id = @id AND start IN (
         SELECT start FROM ${table} WHERE topic_id = @id AND start < @before ORDER BY start LIMIT @limit)`,
    ),
  };
}

function rollupParams(id: number, { start, min, max, sum, count }: Rollup): RollupParams {
  return { id, start, min, max, sum, count };
}

function bytesOnDisk(db: Database.Database, file: string): number {
  if (file === ":memory:") {
    return (db.pragma("page_count", { simple: true }) as number) * (db.pragma("page_size", { simple: true }) as number);
  }
  let bytes = 0;
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      bytes += statSync(f).size;
    } catch {
      // No WAL or shared-memory file right now: nothing to add.
    }
  }
  return bytes;
}

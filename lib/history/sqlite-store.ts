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
import { setImmediate as nextTurn } from "node:timers/promises";
import type Database from "better-sqlite3";
import type { Durability } from "../config-schema";
import type { Reading } from "../readings";
import type { Isolate } from "../sqlite";
import { createGroupedAppend } from "./grouped-append";
import { rollupBatch, TIER_WIDTH_MS, type Rollup } from "./rollup";
import { openDatabase } from "./sqlite-schema";
import { createHistoryReads, horizonsReader, ROLLUP_TABLE, type RollupTier, type TopicRow } from "./sqlite-reads";
import type { HistoryStore, PruneCounts, Tier } from "./store";

/** Rows deleted per prune step; each step is a short transaction the recorder can write between. */
const PRUNE_CHUNK = 5000;

/** `durability`: how commits are synced (lib/sqlite.ts); "full" keeps an acknowledged reading through a power cut. */
export function openSqliteHistory(file: string, durability: Durability = "normal"): HistoryStore {
  const db = openDatabase(file, durability);
  return createSqliteHistory(db, file, { closeDb: () => db.close() });
}

/** Where a grouped store's appends go: the hub's write groups over this same database (broker/hub-stores.ts). */
export type HistoryGroups = { change(key: string, apply: (isolate: Isolate | null) => void, committed: () => void, lazy?: boolean): void };

export type SqliteHistoryOptions = {
  /**
   * With groups, `append` writes nothing itself: its readings join the group being
   * built (the broker's changes for the same messages among them, issue 12), and its
   * promise resolves when that group has committed. A failing write is retried by the
   * groups and the promise waits; it rejects only when the store closes first, or at
   * once with HISTORY_BACKLOG_FULL when too many readings already wait.
   */
  groups?: HistoryGroups;
  closeDb: () => void;
};

export function createSqliteHistory(db: Database.Database, file: string, { groups, closeDb }: SqliteHistoryOptions): HistoryStore {
  const statements = prepare(db);
  const rollupStatements = {
    minute: prepareRollup(db, ROLLUP_TABLE.minute),
    hour: prepareRollup(db, ROLLUP_TABLE.hour),
  };

  /** topic → its row, for topics whose row is known to be committed. */
  const topics = new Map<string, TopicRow>();
  const horizons: Record<Tier, number> = { ...horizonsReader(db)() };
  const reads = createHistoryReads(db, file, () => horizons);

  // Rows written inside the transaction reach the cache only after it commits: a
  // rolled-back topic id may be handed to a different topic by the next insert.
  const insertRows = (readings: readonly Reading[]): Map<string, TopicRow> => {
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
  };
  const insertBatch = db.transaction(insertRows);
  const grouped = groups === undefined ? null : createGroupedAppend(groups, insertRows, (touched) => {
    for (const [topic, row] of touched) topics.set(topic, row);
  });

  async function appendNow(readings: readonly Reading[]): Promise<void> {
    if (readings.length === 0) return;
    for (const [topic, row] of insertBatch(readings)) topics.set(topic, row);
  }

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
    groupsAppends: grouped !== null,
    // Not async for the grouped store: its promise is the group's, shared by every append in it.
    append(readings, opts) {
      if (grouped !== null && readings.length > 0) return grouped.append(readings, opts?.lazy === true, opts?.ackSlot ?? null);
      return appendNow(readings);
    },

    query: reads.query,
    readSeries: reads.readSeries,
    readRaw: reads.readRaw,
    topics: reads.topics,
    latest: reads.latest,
    async prune(cutoffs, { signal } = {}) {
      const counts: PruneCounts = { raw: 0, minute: 0, hour: 0 };
      for (const tier of ["raw", "minute", "hour"] as const) {
        const before = cutoffs[tier];
        if (before !== undefined) counts[tier] = await pruneTier(tier, before, signal);
      }
      return counts;
    },

    size: reads.size,

    async close() {
      grouped?.close();
      closeDb();
    },
  };
}

function prepare(db: Database.Database) {
  return {
    upsertTopic: db.prepare<[string, string], { id: number }>(
      "INSERT INTO topics (topic, unit) VALUES (?, ?) ON CONFLICT (topic) DO UPDATE SET unit = excluded.unit RETURNING id",
    ),
    setUnit: db.prepare<[string, number]>("UPDATE topics SET unit = ? WHERE id = ?"),
    insertReading: db.prepare<[number, number, number]>("INSERT INTO readings (topic_id, ts, value) VALUES (?, ?, ?)"),
    topicIds: db.prepare<[], number>("SELECT id FROM topics").pluck(),
    pruneRawChunk: db.prepare<{ id: number; before: number; limit: number }>(
      `DELETE FROM readings WHERE rowid IN (
         SELECT rowid FROM readings WHERE topic_id = @id AND ts < @before LIMIT @limit)`,
    ),
    setHorizon: db.prepare<[string, number]>(
      "INSERT INTO tier_horizons (tier, before) VALUES (?, ?) ON CONFLICT (tier) DO UPDATE SET before = excluded.before",
    ),
  };
}

type RollupParams = { id: number; start: number; min: number; max: number; sum: number; count: number };

/** The sum saturates like rollup.ts addSums: an unclamped Inf + -Inf is NULL, which NOT NULL refuses (review-5 #2). */
function prepareRollup(db: Database.Database, table: string) {
  return {
    upsert: db.prepare<RollupParams>(
      `INSERT INTO ${table} (topic_id, start, min, max, sum, count) VALUES (@id, @start, @min, @max, @sum, @count)
       ON CONFLICT (topic_id, start) DO UPDATE SET
         min = min(min, excluded.min), max = max(max, excluded.max),
         sum = max(-1.7976931348623157e308, min(1.7976931348623157e308, sum + excluded.sum)),
         count = count + excluded.count`,
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

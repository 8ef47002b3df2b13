// The default history store: one SQLite file in the data directory, in WAL mode so
// the recorder's writes never block the dashboard's reads.
//
// Choices every HistoryStore shares (store-contract.ts proves them):
// - a bucketed point's `t` is the start of its bucket, `from + i * bucketMs`, so
//   two series queried over the same range and budget line up on one chart;
// - a value that is not a finite number makes `append` throw and store nothing
//   (here the schema enforces it: SQLite binds NaN as NULL, and ±Infinity fails the CHECK);
// - the unit is kept per topic, the one its last appended reading carried: units
//   change when a device is reconfigured, not from one reading to the next.
import { openDatabase } from "../sqlite";
import type { Reading } from "../readings";
import { parseHomeTopic } from "../topics";
import type { HistoryPoint, HistoryQuery, HistorySeries, HistoryStore, LatestReading } from "./store";

/**
 * Schema migrations; `PRAGMA user_version` is how many have run. Append new steps,
 * never edit old ones: databases in the field are at every version in between.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE topics (
    id    INTEGER PRIMARY KEY,
    topic TEXT NOT NULL UNIQUE,
    unit  TEXT NOT NULL DEFAULT ''
  );
  CREATE TABLE readings (
    topic_id INTEGER NOT NULL REFERENCES topics (id),
    ts       INTEGER NOT NULL,
    value    REAL NOT NULL CHECK (abs(value) <= 1.7976931348623157e308)
  );
  CREATE INDEX readings_topic_ts ON readings (topic_id, ts);
  `,
];

type TopicRow = { id: number; unit: string };

export function openSqliteHistory(file: string): HistoryStore {
  const db = openDatabase(file, MIGRATIONS, "history");

  // SQLite binds every JS number as REAL, so the bucket arithmetic casts its
  // parameters to INTEGER to get integer division.
  const statements = {
    findTopic: db.prepare<[string], TopicRow>("SELECT id, unit FROM topics WHERE topic = ?"),
    upsertTopic: db.prepare<[string, string], { id: number }>(
      "INSERT INTO topics (topic, unit) VALUES (?, ?) ON CONFLICT (topic) DO UPDATE SET unit = excluded.unit RETURNING id",
    ),
    setUnit: db.prepare<[string, number]>("UPDATE topics SET unit = ? WHERE id = ?"),
    insertReading: db.prepare<[number, number, number]>("INSERT INTO readings (topic_id, ts, value) VALUES (?, ?, ?)"),
    // One row past the budget tells "fits raw" from "needs buckets" without counting the whole range.
    rawRange: db.prepare<{ id: number; from: number; to: number; limit: number }, { t: number; v: number }>(
      "SELECT ts AS t, value AS v FROM readings WHERE topic_id = @id AND ts BETWEEN @from AND @to ORDER BY ts, rowid LIMIT @limit",
    ),
    bucketedRange: db.prepare<
      { id: number; from: number; to: number; bucketMs: number },
      { bucket: number; v: number; min: number; max: number }
    >(
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
    topicIds: db.prepare<[], number>("SELECT id FROM topics").pluck(),
    pruneTopic: db.prepare<[number, number]>("DELETE FROM readings WHERE topic_id = ? AND ts < ?"),
  };

  /** topic → its row, for topics whose row is known to be committed. */
  const topics = new Map<string, TopicRow>();

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
    return touched;
  });

  const pruneAll = db.transaction((before: number): number => {
    let deleted = 0;
    for (const id of statements.topicIds.all()) {
      deleted += statements.pruneTopic.run(id, before).changes;
    }
    return deleted;
  });

  return {
    async append(readings) {
      if (readings.length === 0) return;
      for (const [topic, row] of insertBatch(readings)) topics.set(topic, row);
    },

    async query(q) {
      checkQuery(q);
      const { topic, from, to, maxPoints } = q;
      const empty: HistorySeries = { topic, unit: "", from, to, bucketMs: 0, points: [] };
      const row = statements.findTopic.get(topic);
      if (row === undefined || from > to) return empty;

      const raw = statements.rawRange.all({ id: row.id, from, to, limit: maxPoints + 1 });
      if (raw.length === 0) return empty;
      if (raw.length <= maxPoints) {
        return { ...empty, unit: row.unit, points: raw };
      }
      const bucketMs = bucketWidth(from, to, maxPoints);
      const points: HistoryPoint[] = statements.bucketedRange
        .all({ id: row.id, from, to, bucketMs })
        .map(({ bucket, v, min, max }) => ({ t: from + bucket * bucketMs, v, min, max }));
      return { ...empty, unit: row.unit, bucketMs, points };
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

    async prune(before) {
      return pruneAll(before);
    },

    async close() {
      db.close();
    },
  };
}

/**
 * The narrowest whole-millisecond bucket that fits the inclusive range into
 * `maxPoints` buckets: ceil(span / bucketMs) ≤ maxPoints because bucketMs ≥ span / maxPoints.
 */
function bucketWidth(from: number, to: number, maxPoints: number): number {
  return Math.ceil((to - from + 1) / maxPoints);
}

function checkQuery({ from, to, maxPoints }: HistoryQuery): void {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to)) {
    throw new RangeError(`history query range must be whole epoch milliseconds, got from=${from} to=${to}`);
  }
  if (!Number.isSafeInteger(maxPoints) || maxPoints < 1) {
    throw new RangeError(`history query maxPoints must be a whole number of at least 1, got ${maxPoints}`);
  }
}

// The read half of the SQLite history store, shared by the hub's store (sqlite-store.ts,
// which also writes) and the web thread's read-only connections (sqlite-reader.ts):
// one set of queries, so a chart drawn by either answers the same.
import { statSync } from "node:fs";
import type Database from "better-sqlite3";
import { parseHomeTopic } from "../topics";
import { checkCount, checkRange } from "./query-checks";
import { TIER_WIDTH_MS } from "./rollup";
import type { HistoryReads, LatestReading, Tier } from "./store";
import { bucketsInto, collectSeries, emptyHead, type BucketRow } from "./series";
import { chooseTier, type Horizons } from "./tiers";

export type TopicRow = { id: number; unit: string };
export type RollupTier = Exclude<Tier, "raw">;
export const ROLLUP_TABLE: Readonly<Record<RollupTier, string>> = { minute: "rollup_minute", hour: "rollup_hour" };

/** The read queries over `db`; `horizons` says where each tier's data starts now. */
export function createHistoryReads(db: Database.Database, file: string, horizons: () => Horizons): HistoryReads {
  const s = prepareReads(db);
  const bucketed = { minute: prepareBucketed(db, ROLLUP_TABLE.minute), hour: prepareBucketed(db, ROLLUP_TABLE.hour) };
  const reads: HistoryReads = {
    query: (q) => collectSeries((into) => reads.readSeries(q, into)),

    async readSeries(q, into) {
      checkRange(q.from, q.to);
      checkCount("maxPoints", q.maxPoints);
      const { from, to, maxPoints } = q;
      const row = s.findTopic.get(q.topic);
      if (row === undefined || from > to) return into.head(emptyHead(q));

      const now = horizons();
      const choice = chooseTier(from, to, maxPoints, now);
      if (from >= now.raw) {
        // Counting one row past the budget tells "fits raw" from "needs buckets" without reading
        // the rows: a 30-day chart of a day of readings used to read (and drop) 1,001 row objects
        // a topic to find out (issue 13: the charts' garbage beside an export).
        const n = s.countRange.get({ id: row.id, from, to, limit: maxPoints + 1 }) ?? 0;
        if (n === 0) return into.head(emptyHead(q));
        if (n <= maxPoints) {
          into.head({ ...emptyHead(q), unit: row.unit });
          // The budget again: a reading committed since the count must not make it maxPoints + 1.
          for (const [t, v] of s.rawFirst.iterate({ id: row.id, from, to, limit: maxPoints })) into.point(t, v, Number.NaN, Number.NaN);
          return;
        }
      }
      const { tier, bucketMs } = choice;
      const params = { id: row.id, from, to, bucketMs };
      const rows =
        tier === "raw"
          ? s.bucketedRaw.iterate(params)
          : bucketed[tier].iterate({ ...params, alignedFrom: from - (from % TIER_WIDTH_MS[tier]) });
      bucketsInto(into, q, row.unit, choice, rows);
    },

    async readRaw({ topic, from, to, limit }) {
      checkRange(from, to);
      checkCount("limit", limit);
      const row = s.findTopic.get(topic);
      if (row === undefined) return [];
      return s.rawRange.all({ id: row.id, from, to, limit });
    },

    async readRawChunk({ topic, from, to, limit, after }, into) {
      checkRange(from, to);
      checkCount("limit", limit);
      const row = s.findTopic.get(topic);
      if (row === undefined) return { count: 0, next: null };
      // Row by row, as arrays (.raw()), handed on as numbers: no object per row, and only the
      // current row alive, so nothing of a chunk outlives a minor GC (issue 13's export memory:
      // with .all() a chunk's 5,000 rows were promoted often enough to grow the old generation).
      const rows = after
        ? s.rawAfter.iterate({ id: row.id, to, limit, ts: after.ts, rowid: after.tie })
        : s.rawFirst.iterate({ id: row.id, from, to, limit });
      let count = 0;
      let last: RawRow | undefined;
      for (const r of rows) {
        into(r[0], r[1]);
        last = r;
        count++;
      }
      return { count, next: count === limit && last ? { ts: last[0], tie: last[2], skip: 0 } : null };
    },

    async countRaw({ topic, from, to, limit }) {
      checkRange(from, to);
      checkCount("limit", limit);
      const row = s.findTopic.get(topic);
      return row === undefined ? 0 : (s.countRange.get({ id: row.id, from, to, limit }) ?? 0);
    },

    async topics() {
      return s.topics.all();
    },

    async latest() {
      const out: LatestReading[] = [];
      for (const { topic, unit, ts, value } of s.latest.all()) {
        const parsed = parseHomeTopic(topic);
        if (parsed?.kind !== "measurement") continue;
        out.push({ topic, room: parsed.room, measurement: parsed.measurement, value, unit, ts });
      }
      return out;
    },

    async size() {
      const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
      return {
        bytes: bytesOnDisk(db, file),
        freeBytes: (db.pragma("freelist_count", { simple: true }) as number) * (db.pragma("page_size", { simple: true }) as number),
        topics: count("topics"),
        rows: { raw: count("readings"), minute: count(ROLLUP_TABLE.minute), hour: count(ROLLUP_TABLE.hour) },
      };
    },
  };
  return reads;
}

/** Reads each tier's horizon as stored (the writer keeps its own copy in memory); prepared once, read per query. */
export function horizonsReader(db: Database.Database): () => Horizons {
  const stored = db.prepare<[], { tier: string; before: number }>("SELECT tier, before FROM tier_horizons");
  return () => {
    const horizons: Record<Tier, number> = { raw: 0, minute: 0, hour: 0 };
    for (const { tier, before } of stored.iterate()) horizons[tier as Tier] = before;
    return horizons;
  };
}

/** A raw row as .raw() gives it: [ts, value, rowid]. */
type RawRow = [t: number, v: number, rowid: number];
/** A statement that answers arrays (better-sqlite3's .raw(), which its types do not follow). */
const asArrays = <P extends unknown[] | object, R>(statement: Database.Statement<P, unknown>) => statement.raw() as unknown as Database.Statement<P, R>;

// SQLite binds every JS number as REAL, so the bucket arithmetic casts its
// parameters to INTEGER to get integer division.
function prepareReads(db: Database.Database) {
  return {
    findTopic: db.prepare<[string], TopicRow>("SELECT id, unit FROM topics WHERE topic = ?"),
    rawRange: db.prepare<{ id: number; from: number; to: number; limit: number }, { t: number; v: number }>(
      "SELECT ts AS t, value AS v FROM readings WHERE topic_id = @id AND ts BETWEEN @from AND @to ORDER BY ts, rowid LIMIT @limit",
    ),
    rawFirst: asArrays<{ id: number; from: number; to: number; limit: number }, RawRow>(
      db.prepare("SELECT ts, value, rowid FROM readings WHERE topic_id = @id AND ts BETWEEN @from AND @to ORDER BY ts, rowid LIMIT @limit"),
    ),
    // Row values continue exactly after the last row read, even among equal timestamps.
    rawAfter: asArrays<{ id: number; to: number; limit: number; ts: number; rowid: number }, RawRow>(
      db.prepare(`SELECT ts, value, rowid FROM readings
        WHERE topic_id = @id AND ts BETWEEN CAST(@ts AS INTEGER) AND @to AND (ts, rowid) > (CAST(@ts AS INTEGER), @rowid)
        ORDER BY ts, rowid LIMIT @limit`),
    ),
    countRange: db
      .prepare<{ id: number; from: number; to: number; limit: number }, number>(
        "SELECT count(*) FROM (SELECT 1 FROM readings WHERE topic_id = @id AND ts BETWEEN @from AND @to LIMIT @limit)",
      )
      .pluck(),
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
  };
}

// Rows starting before `from` but inside its roll-up row belong to the first bucket;
// SQLite's integer division truncates toward zero, which puts them there.
function prepareBucketed(db: Database.Database, table: string) {
  return db.prepare<{ id: number; from: number; alignedFrom: number; to: number; bucketMs: number }, BucketRow>(
    `SELECT (start - CAST(@from AS INTEGER)) / CAST(@bucketMs AS INTEGER) AS bucket,
            sum(sum) / sum(count) AS v, min(min) AS min, max(max) AS max
       FROM ${table}
      WHERE topic_id = @id AND start BETWEEN @alignedFrom AND @to
      GROUP BY bucket
      ORDER BY bucket`,
  );
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

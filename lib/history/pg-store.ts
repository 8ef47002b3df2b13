// The history store on PostgreSQL (issue 14), for sites that outgrow one disk; the
// same contract as sqlite-store.ts (store-contract.ts proves both), with the same
// choices: a bucketed point's `t` is its bucket's start, roll-up rows go to the bucket
// their own start falls in, a non-finite value fails the whole batch, and the unit is
// the one a topic's last appended reading carried. A reading the database refuses for
// its own data fails alone (HistoryPartlyRefused; pg-writes.ts): the rest of its batch
// is stored, and nothing is retried that no retry could store.
//
// Raw readings live in one partition per day (pg-schema.ts): pruning drops whole days
// and deletes, in chunks, only inside the day the cutoff falls in.
import type { Logger } from "../log";
import { createLogger } from "../log";
import { guardCalls, keepTrying, type Backoff } from "../pg/availability";
import { migrate } from "../pg/migrate";
import { inTransaction, openPool } from "../pg/pool";
import { parseHomeTopic } from "../topics";
import {
  createPartition,
  dayOf,
  DAY_MS,
  deleteFromPartition,
  dropPartition,
  MIGRATIONS,
  partitionDays,
  PARTITIONS_AHEAD_DAYS,
} from "./pg-schema";
import { checkCount, checkRange } from "./query-checks";
import { TIER_WIDTH_MS } from "./rollup";
import { createPgWrites, refusedForItsData } from "./pg-writes";
import { HistoryPartlyRefused, type HistoryReads, type HistoryStore, type LatestReading, type PruneCounts, type RawCursor, type RawReading, type Tier } from "./store";
import { bucketsInto, collectSeries, emptyHead, type BucketRow } from "./series";
import { chooseTier, type Horizons } from "./tiers";
import * as sql from "./pg-queries";

export type PgHistoryOptions = {
  url: string;
  /** A schema of its own (created when missing); by default the URL's search path. */
  schema?: string;
  log?: Logger;
  /** How setup is retried while the database does not answer; null for one try. */
  backoff?: Backoff | null;
  /** Today, for the partitions made ahead; a parameter so tests need no clock. */
  now?: () => number;
};

type RollupTier = Exclude<Tier, "raw">;

/** Rows deleted per prune step: short statements that live writes can slip between. */
const PRUNE_CHUNK = 5000;

/** The hub's store, with the chunked reads the web thread's exports use (it opens one of its own). */
export type PgHistoryStore = HistoryStore & Pick<HistoryReads, "readRawChunk" | "countRaw">;

export function openPgHistory(options: PgHistoryOptions): PgHistoryStore {
  const { url, schema, log = createLogger("history"), now = Date.now } = options;
  const pool = openPool({ url, schema, log });
  /** topic → id and unit, for topics whose row is known to be committed. */
  const topics = new Map<string, { id: number; unit: string }>();
  /** Days known to have a partition. */
  const days = new Set<number>();

  async function makePartitionsAhead(): Promise<void> {
    const today = dayOf(now());
    for (let d = today; d <= today + PARTITIONS_AHEAD_DAYS; d++) await ensurePartition(d);
  }

  async function ensurePartition(day: number): Promise<void> {
    if (days.has(day)) return;
    await createPartition(pool, day);
    days.add(day);
  }

  const availability = keepTrying({
    url,
    store: "history",
    log,
    backoff: options.backoff,
    setup: async () => {
      if (schema !== undefined) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await migrate(pool, "history", MIGRATIONS);
      for (const d of await partitionDays(pool)) days.add(d);
      await makePartitionsAhead();
    },
  });

  const use = guardCalls(availability, url);

  const { insertBatch, insertApart } = createPgWrites(pool, topics);

  async function setHorizon(tier: Tier, before: number): Promise<void> {
    await pool.query(sql.SET_HORIZON, [tier, before]);
  }

  async function pruneRaw(before: number, signal: AbortSignal | undefined): Promise<number> {
    let deleted = 0;
    const cutDay = dayOf(before);
    for (const day of (await partitionDays(pool)).sort((a, b) => a - b)) {
      if (signal?.aborted || day > cutDay) break;
      if ((day + 1) * DAY_MS <= before) {
        deleted += await inTransaction(pool, (client) => dropPartition(client, day));
        days.delete(day);
        continue;
      }
      for (;;) {
        if (signal?.aborted) return deleted;
        const n = await deleteFromPartition(pool, day, before, PRUNE_CHUNK);
        deleted += n;
        if (n < PRUNE_CHUNK) break;
      }
    }
    return deleted;
  }

  async function pruneRollups(tier: RollupTier, before: number, signal: AbortSignal | undefined): Promise<number> {
    let deleted = 0;
    const { rows } = await pool.query<{ id: number }>("SELECT id FROM topics");
    for (const { id } of rows) {
      for (;;) {
        if (signal?.aborted) return deleted;
        const { rowCount } = await pool.query(sql.pruneRollupChunk(tier), [id, before, PRUNE_CHUNK]);
        deleted += rowCount ?? 0;
        if ((rowCount ?? 0) < PRUNE_CHUNK) break;
      }
    }
    return deleted;
  }

  const store: PgHistoryStore = {
    query: (q) => collectSeries((into) => store.readSeries(q, into)),

    async append(readings) {
      if (readings.length === 0) return;
      for (const r of readings) {
        if (!Number.isFinite(r.value)) throw new RangeError(`history: ${r.topic} has a non-finite value (${r.value}); the batch is not stored`);
      }
      const refused = await use(async () => {
        for (const day of new Set(readings.map((r) => dayOf(Math.round(r.ts))))) await ensurePartition(day);
        try {
          await insertBatch(readings);
          return null;
        } catch (error) {
          // 23514: no partition for a row. A prune dropped its day meanwhile (a late reading);
          // forget what is known, so the recorder's retry makes the day again.
          if ((error as { code?: string }).code === "23514") days.clear();
          // Refused for some reading's own data: retrying the batch would fail forever. Anything else is retried whole.
          if (!refusedForItsData(error)) throw error;
          return insertApart(readings);
        }
      });
      if (refused !== null && refused.size > 0) throw new HistoryPartlyRefused(refused);
    },

    async readSeries(q, into) {
      checkRange(q.from, q.to);
      checkCount("maxPoints", q.maxPoints);
      const { topic, from, to, maxPoints } = q;
      return use(async () => {
        // Horizons are read with the topic, not cached: the web thread's own store instance
        // must see a prune that the hub's made.
        const found = await pool.query<sql.ProbeRow>(sql.FIND_AND_PROBE, [topic, from, to, maxPoints]);
        const row = found.rows[0];
        if (row === undefined || from > to) return into.head(emptyHead(q));
        const horizons: Horizons = { raw: 0, minute: 0, hour: 0, ...row.horizons };
        const choice = chooseTier(from, to, maxPoints, horizons);
        if (from >= horizons.raw) {
          if (row.n === 0) return into.head(emptyHead(q));
          if (row.raw !== null) {
            into.head({ ...emptyHead(q), unit: row.unit });
            for (const [t, v] of row.raw) into.point(t, v, Number.NaN, Number.NaN);
            return;
          }
        }
        const { tier, bucketMs } = choice;
        const { rows } =
          tier === "raw"
            ? await pool.query<BucketRow>(sql.BUCKETED_RAW, [row.id, from, to, bucketMs])
            : await pool.query<BucketRow>(sql.bucketedRollup(tier), [row.id, from, from - (from % TIER_WIDTH_MS[tier]), to, bucketMs]);
        bucketsInto(into, q, row.unit, choice, rows);
      });
    },

    async readRaw({ topic, from, to, limit }) {
      checkRange(from, to);
      checkCount("limit", limit);
      return use(async () => (await pool.query<{ t: number; v: number }>(sql.RAW_OF_TOPIC, [topic, from, to, limit])).rows);
    },

    async readRawChunk({ topic, from, to, limit, after }, into) {
      checkRange(from, to);
      checkCount("limit", limit);
      return use(async () => {
        const { rows } = after
          ? await pool.query<RawReading>(sql.RAW_CHUNK_AFTER, [topic, after.ts, to, limit, after.tie, after.skip])
          : await pool.query<RawReading>(sql.RAW_CHUNK_FIRST, [topic, from, to, limit]);
        for (const r of rows) into(r.t, r.v);
        return { count: rows.length, next: rows.length === limit ? cursorAfter(rows, after) : null };
      });
    },

    async countRaw({ topic, from, to, limit }) {
      checkRange(from, to);
      checkCount("limit", limit);
      return use(async () => (await pool.query<{ n: number }>(sql.COUNT_RAW, [topic, from, to, limit])).rows[0].n);
    },

    async topics() {
      return use(async () => (await pool.query<{ topic: string; unit: string }>(sql.TOPICS)).rows);
    },

    async latest() {
      return use(async () => {
        const out: LatestReading[] = [];
        for (const { topic, unit, ts, value } of (await pool.query(sql.LATEST)).rows) {
          const parsed = parseHomeTopic(topic);
          if (parsed?.kind !== "measurement") continue;
          out.push({ topic, room: parsed.room, measurement: parsed.measurement, value, unit, ts });
        }
        return out;
      });
    },

    async prune(cutoffs, { signal } = {}) {
      return use(async () => {
        // Pruning runs on a schedule: the moment to make the coming days' partitions too.
        await makePartitionsAhead();
        const counts: PruneCounts = { raw: 0, minute: 0, hour: 0 };
        for (const tier of ["raw", "minute", "hour"] as const) {
          const before = cutoffs[tier];
          if (before === undefined) continue;
          // The horizon moves first: from now on queries stop reading what is about to go.
          await setHorizon(tier, before);
          counts[tier] = tier === "raw" ? await pruneRaw(before, signal) : await pruneRollups(tier, before, signal);
        }
        return counts;
      });
    },

    async size() {
      return use(async () => {
        const { rows } = await pool.query<{ bytes: number; topics: number; raw: number; minute: number; hour: number }>(sql.SIZE);
        const { bytes, topics: count, raw, minute, hour } = rows[0];
        // Dropped partitions give their space back to the file system at once; what a chunked
        // DELETE frees is reused after autovacuum, and PostgreSQL does not say how much without an extension.
        return { bytes, freeBytes: 0, topics: count, rows: { raw, minute, hour } };
      });
    },

    async close() {
      availability.stop();
      await pool.end();
    },
  };
  return store;
}

/** The cursor after a full chunk: its last (ts, value), and how many rows of exactly that pair have been read. */
function cursorAfter(rows: readonly RawReading[], after: RawCursor | null): RawCursor {
  const last = rows[rows.length - 1];
  let skip = 0;
  for (let i = rows.length - 1; i >= 0 && rows[i].t === last.t && rows[i].v === last.v; i--) skip++;
  // A chunk made only of that pair continues the run the previous cursor was counting.
  if (skip === rows.length && after !== null && after.ts === last.t && after.tie === last.v) skip += after.skip;
  return { ts: last.t, tie: last.v, skip };
}

// The SQL of the PostgreSQL history store (pg-store.ts), in one place. Epoch
// milliseconds are bigint: `(ts - from) / bucketMs` is integer division, truncating
// toward zero like SQLite's, so a roll-up row starting just before `from` lands in
// the first bucket.

/** New topics, and known ones whose unit changed: one statement for the batch. */
export const UPSERT_TOPICS = `
  INSERT INTO topics (topic, unit) SELECT * FROM unnest($1::text[], $2::text[])
  ON CONFLICT (topic) DO UPDATE SET unit = excluded.unit
  RETURNING id, topic, unit`;

/**
 * x.sum + excluded.sum, saturating at ±float8's largest like rollup.ts addSums: PostgreSQL
 * raises "value out of range: overflow" for a float8 sum that overflows (review-5 #2),
 * which would fail the batch and every retry of it. Below half the largest float8 the sum
 * cannot overflow, so only huge sums take the exact numeric path.
 */
const SATURATING_SUM = `CASE WHEN abs(x.sum) < 8.9e307 AND abs(excluded.sum) < 8.9e307 THEN x.sum + excluded.sum
  ELSE least(1.7976931348623157e308, greatest(-1.7976931348623157e308, x.sum::numeric + excluded.sum::numeric))::float8 END`;

/** Merges roll-up rows given as six column arrays from parameter $first on. */
export const upsertRollup = (table: string, first: number) => {
  const p = (i: number) => `$${first + i}`;
  return `INSERT INTO ${table} AS x (topic_id, start, min, max, sum, count)
    SELECT * FROM unnest(${p(0)}::int[], ${p(1)}::bigint[], ${p(2)}::float8[], ${p(3)}::float8[], ${p(4)}::float8[], ${p(5)}::int[])
    ON CONFLICT (topic_id, start) DO UPDATE SET
      min = least(x.min, excluded.min), max = greatest(x.max, excluded.max),
      sum = ${SATURATING_SUM}, count = x.count + excluded.count`;
};

/**
 * A batch's readings and its minute and hour roll-ups in one statement: one round trip,
 * and atomic on its own. rollupBatch gives each (topic, start) once per batch, which
 * ON CONFLICT needs (a row may not be updated twice by one statement).
 */
export const INSERT_BATCH = `
  WITH raw AS (
    INSERT INTO readings (topic_id, ts, value) SELECT * FROM unnest($1::int[], $2::bigint[], $3::float8[])
  ), minute AS (
    ${upsertRollup("rollup_minute", 4)}
  )
  ${upsertRollup("rollup_hour", 10)}`;

/**
 * One round trip for what most queries need: the topic's row, every tier's horizon, and
 * its raw readings in range when they fit the budget ($4 points) and the range starts
 * after the raw horizon. One row past the budget tells "fits raw" from "needs buckets"
 * without counting the whole range; past it, no readings are sent, only that count.
 */
export const FIND_AND_PROBE = `
  WITH t AS (SELECT id, unit FROM topics WHERE topic = $1),
  probe AS (
    SELECT ts, value FROM readings
     WHERE topic_id = (SELECT id FROM t) AND ts BETWEEN $2 AND $3
       AND $2 >= coalesce((SELECT before FROM tier_horizons WHERE tier = 'raw'), 0)
     ORDER BY ts LIMIT $4::int + 1)
  SELECT t.id, t.unit,
         (SELECT coalesce(json_object_agg(tier, before), '{}') FROM tier_horizons) AS horizons,
         (SELECT count(*) FROM probe) AS n,
         CASE WHEN (SELECT count(*) FROM probe) <= $4::int
              THEN (SELECT json_agg(json_build_array(ts, value) ORDER BY ts) FROM probe) END AS raw
    FROM t`;

export type ProbeRow = { id: number; unit: string; horizons: Record<string, number>; n: number; raw: [number, number][] | null };

export const RAW_OF_TOPIC = `
  SELECT ts AS t, value AS v FROM readings
   WHERE topic_id = (SELECT id FROM topics WHERE topic = $1) AND ts BETWEEN $2 AND $3 ORDER BY ts LIMIT $4`;

export const BUCKETED_RAW = `
  SELECT (ts - $2::bigint) / $4::bigint AS bucket, avg(value) AS v, min(value) AS min, max(value) AS max
    FROM readings
   WHERE topic_id = $1 AND ts BETWEEN $2 AND $3
   GROUP BY bucket ORDER BY bucket`;

/** $1 topic id, $2 from, $3 from aligned down to the tier's row, $4 to, $5 bucket width. */
export const bucketedRollup = (tier: "minute" | "hour") => `
  SELECT (start - $2::bigint) / $5::bigint AS bucket, sum(sum) / sum(count) AS v, min(min) AS min, max(max) AS max
    FROM rollup_${tier}
   WHERE topic_id = $1 AND start BETWEEN $3 AND $4
   GROUP BY bucket ORDER BY bucket`;

export const pruneRollupChunk = (tier: "minute" | "hour") => `
  DELETE FROM rollup_${tier} WHERE topic_id = $1 AND start IN (
    SELECT start FROM rollup_${tier} WHERE topic_id = $1 AND start < $2 ORDER BY start LIMIT $3)`;

/** A horizon only moves forward: an older cutoff never brings back what is gone. */
export const SET_HORIZON = `
  INSERT INTO tier_horizons (tier, before) VALUES ($1, $2)
  ON CONFLICT (tier) DO UPDATE SET before = greatest(tier_horizons.before, excluded.before)`;

export const TOPICS = "SELECT topic, unit FROM topics ORDER BY topic";

// One index seek per topic (backwards on each day's index), not a scan of every reading.
export const LATEST = `
  SELECT t.topic, t.unit, r.ts, r.value
    FROM topics t
    CROSS JOIN LATERAL (SELECT ts, value FROM readings WHERE topic_id = t.id ORDER BY ts DESC LIMIT 1) r
   ORDER BY t.topic`;

/** Bytes of this schema's tables, their partitions and indexes; and the rows of each tier. */
export const SIZE = `
  SELECT
    (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r') AS bytes,
    (SELECT count(*) FROM topics) AS topics,
    (SELECT count(*) FROM readings) AS raw,
    (SELECT count(*) FROM rollup_minute) AS minute,
    (SELECT count(*) FROM rollup_hour) AS hour`;

/**
 * A chunk of an export: $1 topic, $2 from, $3 to, $4 rows. Readings have no row id, so
 * rows of equal time are ordered by value; the next chunk starts at the last row's
 * (ts, value) and skips ($6) the rows of exactly that pair already read.
 */
export const RAW_CHUNK_FIRST = `
  SELECT ts AS t, value AS v FROM readings
   WHERE topic_id = (SELECT id FROM topics WHERE topic = $1) AND ts BETWEEN $2 AND $3
   ORDER BY ts, value LIMIT $4`;

/** $1 topic, $2 the cursor's ts, $3 to, $4 rows, $5 the cursor's value, $6 rows to skip. */
export const RAW_CHUNK_AFTER = `
  SELECT ts AS t, value AS v FROM readings
   WHERE topic_id = (SELECT id FROM topics WHERE topic = $1) AND ts BETWEEN $2 AND $3
     AND (ts, value) >= ($2::bigint, $5::float8)
   ORDER BY ts, value OFFSET $6 LIMIT $4`;

/** How many raw readings the range holds, counting no further than $4. */
export const COUNT_RAW = `
  SELECT count(*)::int AS n FROM (
    SELECT 1 FROM readings
     WHERE topic_id = (SELECT id FROM topics WHERE topic = $1) AND ts BETWEEN $2 AND $3 LIMIT $4) x`;

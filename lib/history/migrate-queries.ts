// The SQL of the SQLite → PostgreSQL history copy (migrate-to-pg.ts), both sides.
import { upsertRollup } from "./pg-queries";

export type SourceRow = {
  rowid: number;
  topic_id: number;
  ts: number;
  value: number;
  start: number;
  min: number;
  max: number;
  sum: number;
  count: number;
};

// ---- SQLite (named parameters @a, @b: the last key copied; @limit: the chunk) ----

export const SQLITE_READINGS_AFTER = `
  SELECT rowid, topic_id, ts, value FROM readings WHERE rowid > @a ORDER BY rowid LIMIT @limit`;

export const sqliteRollupsAfter = (table: string) => `
  SELECT topic_id, start, min, max, sum, count FROM ${table}
   WHERE (topic_id, start) > (@a, @b) ORDER BY topic_id, start LIMIT @limit`;

export const SQLITE_TALLY = `
  SELECT (SELECT count(*) FROM readings) AS raw,
         (SELECT coalesce(sum(count), 0) FROM rollup_minute) AS minute,
         (SELECT coalesce(sum(count), 0) FROM rollup_hour) AS hour`;

// ---- PostgreSQL ----

/** One row per source file and table: how far its copy has got, and the target's tally before the first run. */
export const CREATE_PROGRESS = `
  CREATE TABLE IF NOT EXISTS hearth_migration (
    source  text NOT NULL,
    tbl     text NOT NULL,
    key_a   bigint NOT NULL DEFAULT -1,
    key_b   bigint NOT NULL DEFAULT -1,
    copied  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (source, tbl)
  )`;

export const BASELINE = `
  SELECT max(copied) FILTER (WHERE tbl = 'baseline:raw') AS raw,
         max(copied) FILTER (WHERE tbl = 'baseline:minute') AS minute,
         max(copied) FILTER (WHERE tbl = 'baseline:hour') AS hour
    FROM hearth_migration WHERE source = $1 AND tbl LIKE 'baseline:%'
  HAVING count(*) > 0`;

export const SAVE_BASELINE = `
  INSERT INTO hearth_migration (source, tbl, copied)
  VALUES ($1, 'baseline:raw', $2), ($1, 'baseline:minute', $3), ($1, 'baseline:hour', $4)`;

export const LAST_KEY = "SELECT key_a AS a, key_b AS b FROM hearth_migration WHERE source = $1 AND tbl = $2";
export const COPIED = "SELECT copied FROM hearth_migration WHERE source = $1 AND tbl = $2";

export const SAVE_PROGRESS = `
  INSERT INTO hearth_migration (source, tbl, key_a, key_b, copied) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (source, tbl) DO UPDATE SET key_a = excluded.key_a, key_b = excluded.key_b,
    copied = hearth_migration.copied + excluded.copied`;

export const PG_TALLY = `
  SELECT (SELECT count(*) FROM readings) AS raw,
         (SELECT coalesce(sum(count), 0) FROM rollup_minute)::bigint AS minute,
         (SELECT coalesce(sum(count), 0) FROM rollup_hour)::bigint AS hour`;

/** A topic the target already has keeps its id and unit (the hub may have written there since). */
export const INSERT_TOPICS = `
  INSERT INTO topics (topic, unit) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (topic) DO NOTHING`;

export const INSERT_READINGS = `
  INSERT INTO readings (topic_id, ts, value) SELECT * FROM unnest($1::int[], $2::bigint[], $3::float8[])`;

/** Merged like the store's own roll-up writes, so a bucket the target already holds keeps its readings too. */
export const mergeRollups = (tier: "minute" | "hour") => upsertRollup(`rollup_${tier}`, 1);

export const COPY_HORIZONS = `
  INSERT INTO tier_horizons (tier, before) SELECT * FROM unnest($1::text[], $2::bigint[])
  ON CONFLICT (tier) DO UPDATE SET before = greatest(tier_horizons.before, excluded.before)`;

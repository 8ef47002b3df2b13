// The PostgreSQL history schema (issue 14): the same tables as sqlite-schema.ts, with
// raw readings partitioned by time. One partition per UTC day, made ahead (at start
// and on each prune) and on demand for a day a batch reaches that has none; at
// retention a whole day goes with DROP TABLE instead of a long DELETE.
import type pg from "pg";

export const DAY_MS = 86_400_000;

/** Days ahead of today that always have a partition, so live writes never wait on DDL. */
export const PARTITIONS_AHEAD_DAYS = 2;

const ROLLUP_TABLE = (name: string) => `
  CREATE TABLE ${name} (
    topic_id integer NOT NULL,
    start    bigint NOT NULL,
    min      double precision NOT NULL,
    max      double precision NOT NULL,
    sum      double precision NOT NULL,
    count    integer NOT NULL,
    PRIMARY KEY (topic_id, start)
  );`;

// No foreign keys from readings to topics: the store writes only ids it has just
// upserted, and a check per row would cost ingest speed for nothing.
// COLLATE "C": topics sort byte-wise, as SQLite sorts them, whatever the database's locale.
// The CHECK refuses NaN (which PostgreSQL sorts above Infinity) and ±Infinity.
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE topics (
    id    serial PRIMARY KEY,
    topic text COLLATE "C" NOT NULL UNIQUE,
    unit  text NOT NULL DEFAULT ''
  );
  CREATE TABLE readings (
    topic_id integer NOT NULL,
    ts       bigint NOT NULL,
    value    double precision NOT NULL CHECK (value > '-Infinity' AND value < 'Infinity')
  ) PARTITION BY RANGE (ts);
  CREATE INDEX readings_topic_ts ON readings (topic_id, ts);
  ${ROLLUP_TABLE("rollup_minute")}
  ${ROLLUP_TABLE("rollup_hour")}
  CREATE TABLE tier_horizons (
    tier   text PRIMARY KEY,
    before bigint NOT NULL
  );
  `,
];

/** The day (days since the epoch, UTC) holding `ts`. */
export const dayOf = (ts: number): number => Math.floor(ts / DAY_MS);

/** readings_d20454 for 2026-01-01; days before 1970 get an "m" for minus. */
export function partitionName(day: number): string {
  return `readings_d${day < 0 ? `m${-day}` : day}`;
}

function dayOfPartition(name: string): number | null {
  const match = /^readings_d(m?)(\d+)$/.exec(name);
  if (match === null) return null;
  return (match[1] ? -1 : 1) * Number(match[2]);
}

/** The days that have a partition now. */
export async function partitionDays(db: pg.Pool | pg.PoolClient): Promise<number[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'readings'::regclass`,
  );
  return rows.map((r) => dayOfPartition(r.name)).filter((d): d is number => d !== null);
}

/** Creates the day's partition unless it exists (another process may make it at the same moment). */
export async function createPartition(db: pg.Pool | pg.PoolClient, day: number): Promise<void> {
  // DDL takes no parameters; every part of it is a number computed here.
  const sql = `CREATE TABLE IF NOT EXISTS ${partitionName(day)} PARTITION OF readings
               FOR VALUES FROM (${day * DAY_MS}) TO (${(day + 1) * DAY_MS})`;
  try {
    await db.query(sql);
  } catch (error) {
    // 42P07: a concurrent CREATE won the race between IF NOT EXISTS and the insert into the catalog.
    if ((error as { code?: string }).code !== "42P07") throw error;
  }
}

/** Counts and drops a whole day's readings, in one transaction so the count is what went. */
export async function dropPartition(client: pg.PoolClient, day: number): Promise<number> {
  const name = partitionName(day);
  await client.query(`LOCK TABLE ${name} IN ACCESS EXCLUSIVE MODE`);
  const { rows } = await client.query<{ n: number }>(`SELECT count(*) AS n FROM ${name}`);
  await client.query(`DROP TABLE ${name}`);
  return rows[0].n;
}

/** Deletes up to `limit` of a day's readings older than `before`; returns how many went. */
export async function deleteFromPartition(db: pg.Pool, day: number, before: number, limit: number): Promise<number> {
  const name = partitionName(day);
  const { rowCount } = await db.query(
    `DELETE FROM ${name} WHERE ctid = ANY (ARRAY(SELECT ctid FROM ${name} WHERE ts < $1 LIMIT $2))`,
    [before, limit],
  );
  return rowCount ?? 0;
}

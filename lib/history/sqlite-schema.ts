// The SQLite history database: opening it and migrating its schema.
// `PRAGMA user_version` is how many migration steps have run. Append new steps,
// never edit old ones: databases in the field are at every version in between.
import type Database from "better-sqlite3";
import type { Durability } from "../config-schema";
import { openDatabase as openSqlite } from "../sqlite";

const ROLLUP_TABLE = (name: string) => `
  CREATE TABLE ${name} (
    topic_id INTEGER NOT NULL REFERENCES topics (id),
    start    INTEGER NOT NULL,
    min      REAL NOT NULL,
    max      REAL NOT NULL,
    sum      REAL NOT NULL,
    count    INTEGER NOT NULL,
    PRIMARY KEY (topic_id, start)
  ) WITHOUT ROWID;`;

const BACKFILL = (name: string, widthMs: number) => `
  INSERT INTO ${name} (topic_id, start, min, max, sum, count)
  SELECT topic_id, (ts / ${widthMs}) * ${widthMs}, min(value), max(value), sum(value), count(*)
    FROM readings GROUP BY topic_id, ts / ${widthMs};`;

export const MIGRATIONS: readonly string[] = [
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
  // Issue 6: per-minute and per-hour roll-ups, back-filled from the raw readings kept
  // so far, and each tier's horizon: the cutoff of its last prune.
  `
  ${ROLLUP_TABLE("rollup_minute")}
  ${ROLLUP_TABLE("rollup_hour")}
  ${BACKFILL("rollup_minute", 60_000)}
  ${BACKFILL("rollup_hour", 3_600_000)}
  CREATE TABLE tier_horizons (
    tier   TEXT PRIMARY KEY,
    before INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
];

/** Opens (creating if needed) and migrates the history database; any failure names the file. */
export function openDatabase(file: string, durability: Durability = "normal"): Database.Database {
  const db = openSqlite(file, MIGRATIONS, "history", durability);
  // SQLite's default 2 MiB, set here so it is a decision (issue 12: RSS 15 s after a burst
  // ≤ 1.1 × before). This connection writes: appends touch one leaf per topic in the index
  // and roll-ups, and append CPU per reading was the same with 2, 8 or 32 MiB even for 900
  // topics (bench/tools/writer-cache.ts). Charts read through the web thread's own
  // connection (sqlite-reader.ts). The 32 MiB it had (for charts, before that reader) filled
  // in a burst and stayed: freed pages go back to malloc, not to the OS.
  db.pragma("cache_size = -2048");
  return db;
}

// Opening a Hearth SQLite file, shared by every store that keeps one in the data
// directory (history, alerts): WAL, and numbered migrations tracked in `user_version`.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Durability } from "./config-schema";
import { sqliteStorageFault } from "./database-fault";

/**
 * Opens (creating if needed) and migrates the database; any failure names the
 * store and the file. `migrations` only ever grow: append new steps, never edit
 * old ones, since databases in the field are at every version in between.
 */
export function openDatabase(
  file: string,
  migrations: readonly string[],
  store: string,
  durability: Durability = "normal",
): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    db = new Database(file);
    // The first statement to read the file is where a corrupt one is noticed.
    db.pragma("journal_mode = WAL");
    // In WAL mode NORMAL survives a process crash and never corrupts the file, but a power
    // cut can lose the last commits; FULL syncs the WAL on every commit and loses none
    // (broker/mqtt/README.md, "What is promised when").
    db.pragma(durability === "full" ? "synchronous = FULL" : "synchronous = NORMAL");
    migrate(db, migrations);
    return db;
  } catch (error) {
    db?.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${store}: cannot open database "${file}": ${reason}`, { cause: error });
  }
}

function migrate(db: Database.Database, migrations: readonly string[]): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version === migrations.length) return;
  if (version > migrations.length) {
    throw new Error(`schema version ${version} is newer than this Hearth understands (${migrations.length})`);
  }
  db.transaction(() => {
    for (let v = version; v < migrations.length; v++) db.exec(migrations[v]);
    // PRAGMA takes no parameters; the value is a number from this module.
    db.pragma(`user_version = ${migrations.length}`);
  })();
}

/**
 * Migrates one part of a file that several stores share (the broker's tables live in
 * history.sqlite, issue 12): each part's version is a row of `schema_parts`, since
 * `user_version` belongs to the file's owner. Same rules: append steps, never edit them.
 */
export function migratePart(db: Database.Database, part: string, migrations: readonly string[]): void {
  db.exec("CREATE TABLE IF NOT EXISTS schema_parts (part TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID");
  const version = (db.prepare("SELECT version FROM schema_parts WHERE part = ?").pluck().get(part) as number | undefined) ?? 0;
  if (version === migrations.length) return;
  if (version > migrations.length) {
    throw new Error(`${part} schema version ${version} is newer than this Hearth understands (${migrations.length})`);
  }
  db.transaction(() => {
    for (let v = version; v < migrations.length; v++) db.exec(migrations[v]);
    db.prepare("INSERT OR REPLACE INTO schema_parts (part, version) VALUES (?, ?)").run(part, migrations.length);
  })();
}

/**
 * A failure of the database rather than of the statement's data: busy or locked, the
 * disk full, I/O, out of memory, read-only, corrupt (the list: database-fault.ts). A retry
 * may mend these; anything else (a constraint, a value SQLite will not take) fails the
 * same way every time.
 */
export function isTransientSqliteError(error: unknown): boolean {
  return error instanceof Database.SqliteError && sqliteStorageFault(error.code) !== null;
}

/**
 * Runs `body` in a SAVEPOINT of the transaction under way: null when it was written, the
 * error when its own data was refused (and rolled back); a failure of the database throws.
 * What write groups hand a change when they write change by change (broker/mqtt/write-group.ts).
 */
export type Isolate = (body: () => void) => Error | null;

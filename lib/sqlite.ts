// Opening a Hearth SQLite file, shared by every store that keeps one in the data
// directory (history, alerts): WAL, and numbered migrations tracked in `user_version`.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Durability } from "./config-schema";

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

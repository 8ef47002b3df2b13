// `npm run hearth -- migrate --to postgres://…` (issue 14): the shell edge of
// lib/history/migrate-to-pg.ts (history) and lib/migrate-stores-to-pg.ts (alerts,
// accounts). Progress goes to stdout as it copies (one line kept up to date on a
// terminal, a line per tenth otherwise); the counts are checked at the end.
import { existsSync } from "node:fs";
import path from "node:path";
import { migrateHistoryToPg, type Tally } from "../lib/history/migrate-to-pg";
import { SQLITE_HISTORY_FILE } from "../lib/history/open-history";
import { migrateStoreToPg, STORES, type StoreName } from "../lib/migrate-stores-to-pg";
import { redactUrl } from "../lib/pg/pool";

const LABEL: Record<keyof Tally, string> = { raw: "raw readings", minute: "per-minute roll-ups", hour: "per-hour roll-ups" };

export class MigrateError extends Error {
  constructor(
    readonly code: "migrate-bad-target" | "migrate-no-source" | "migrate-mismatch",
    message: string,
  ) {
    super(message);
  }
}

/** One progress line per table: kept up to date on a terminal, a line per tenth otherwise. */
function progressPrinter(out: NodeJS.WriteStream) {
  let lastTenth = -1;
  let lastTable = "";
  return (p: { table: string; copied: number; total: number }) => {
    const line = `${p.table}: ${p.copied} of ${p.total} (${Math.floor((p.copied / Math.max(p.total, 1)) * 100)}%)`;
    if (out.isTTY) {
      out.write(`\r${lastTable === p.table ? "" : "\n"}${line}`);
    } else {
      const tenth = Math.floor((p.copied / Math.max(p.total, 1)) * 10);
      if (tenth !== lastTenth || p.table !== lastTable) out.write(`${line}\n`);
      lastTenth = tenth;
    }
    lastTable = p.table;
  };
}

export async function runMigrate(dataDir: string, to: string | undefined, out: NodeJS.WriteStream): Promise<void> {
  if (!to || !/^postgres(ql)?:\/\//.test(to)) {
    throw new MigrateError("migrate-bad-target", `--to must be a postgres:// URL, like postgres://hearth:secret@db.local:5432/hearth`);
  }
  const sqliteFile = path.join(dataDir, SQLITE_HISTORY_FILE);
  const others = (Object.keys(STORES) as StoreName[]).filter((store) => existsSync(path.join(dataDir, STORES[store].file)));
  if (!existsSync(sqliteFile) && others.length === 0) {
    throw new MigrateError("migrate-no-source", `there is nothing to copy in ${dataDir} (set HEARTH_DATA_DIR to the data directory)`);
  }
  if (existsSync(sqliteFile)) await migrateHistory(sqliteFile, to, out);
  for (const store of others) await migrateStore(store, path.join(dataDir, STORES[store].file), to, out);
  // The broker's state (retained, sessions, queues) is not copied here but at that start
  // (hub-stores.ts, carryBrokerState): the hub may go on running on SQLite until then.
  out.write(`Start the hub with HEARTH_DATABASE_URL=${redactUrl(to)} to use it; that start carries the broker's retained messages, sessions and queues over from ${dataDir}.\n`);
}

async function migrateStore(store: StoreName, sqliteFile: string, to: string, out: NodeJS.WriteStream): Promise<void> {
  out.write(`Copying ${sqliteFile}\n     to ${redactUrl(to)} (run again to finish a stopped copy)\n`);
  const print = progressPrinter(out);
  const tables = await migrateStoreToPg({ store, sqliteFile, url: to, onProgress: print });
  if (out.isTTY) out.write("\n");
  const missing = tables.filter((t) => t.found !== t.source);
  if (missing.length > 0) {
    const which = missing.map((t) => `${t.table}: ${t.found} of ${t.source}`).join(", ");
    throw new MigrateError("migrate-mismatch", `not every row reached PostgreSQL (${which}); a name taken there in another case, or the hub writing meanwhile?`);
  }
  out.write(`Verified: ${tables.map((t) => `${t.source} ${t.table}`).join(", ")} are in PostgreSQL.\n`);
}

async function migrateHistory(sqliteFile: string, to: string, out: NodeJS.WriteStream): Promise<void> {
  out.write(`Copying ${sqliteFile}\n     to ${redactUrl(to)} (a stopped copy continues where it stopped)\n`);
  const print = progressPrinter(out);
  const result = await migrateHistoryToPg({ sqliteFile, url: to, onProgress: (p) => print({ ...p, table: LABEL[p.table] }) });
  if (out.isTTY) out.write("\n");
  const { expected, target } = result;
  if (!result.verified) {
    throw new MigrateError(
      "migrate-mismatch",
      `the counts differ: expected ${JSON.stringify(expected)} in PostgreSQL, found ${JSON.stringify(target)} (was the hub writing to it meanwhile?)`,
    );
  }
  out.write(
    `Verified: ${target.raw} raw readings, and ${target.minute} and ${target.hour} readings summarised per minute and per hour, ` +
      `are in PostgreSQL (${result.source.raw} raw from this data directory).\n`,
  );
}

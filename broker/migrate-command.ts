// `npm run hearth -- migrate --to postgres://…` (issue 14): the shell edge of
// lib/history/migrate-to-pg.ts. Progress goes to stdout as it copies (one line kept
// up to date on a terminal, a line per tenth otherwise); the counts are checked at the end.
import { existsSync } from "node:fs";
import path from "node:path";
import { migrateHistoryToPg, type MigrateProgress, type Tally } from "../lib/history/migrate-to-pg";
import { SQLITE_HISTORY_FILE } from "../lib/history/open-history";
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

function progressPrinter(out: NodeJS.WriteStream) {
  let lastTenth = -1;
  let lastTable = "";
  return (p: MigrateProgress) => {
    const line = `${LABEL[p.table]}: ${p.copied} of ${p.total} (${Math.floor((p.copied / Math.max(p.total, 1)) * 100)}%)`;
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
  if (!existsSync(sqliteFile)) {
    throw new MigrateError("migrate-no-source", `there is no history to copy at ${sqliteFile} (set HEARTH_DATA_DIR to the data directory)`);
  }
  out.write(`Copying ${sqliteFile}\n     to ${redactUrl(to)} (a stopped copy continues where it stopped)\n`);
  const result = await migrateHistoryToPg({ sqliteFile, url: to, onProgress: progressPrinter(out) });
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
      `are in PostgreSQL (${result.source.raw} raw from this data directory).\n` +
      `Start the hub with HEARTH_DATABASE_URL=${redactUrl(to)} to use it.\n`,
  );
}

// The SQLite → PostgreSQL history copy (issue 14): afterwards a chart reads the same
// from either store; a copy stopped half-way continues with no duplicates; the
// counts are checked. A real SQLite file and a real PostgreSQL 15, a schema per test.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { freshDatabaseUrl, sharedPostgresUrl } from "../pg/test-postgres";
import { ATTIC, KITCHEN, reading, T0 } from "./contract-fixtures";
import { migrateHistoryToPg, type MigrateProgress } from "./migrate-to-pg";
import { openPgHistory } from "./pg-store";
import { HOUR_MS } from "./rollup";
import { openSqliteHistory } from "./sqlite-store";
import type { HistoryQuery } from "./store";

const DAY = 24 * HOUR_MS;
const HALL = "home/hall/temperature";
const dir = mkdtempSync(path.join(tmpdir(), "hearth-migrate-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let server = "";
before(async () => {
  server = await sharedPostgresUrl();
});
const freshTarget = () => freshDatabaseUrl(server);

let files = 0;
/** Three days of the attic every 10 minutes and two of the kitchen every 15, the first day's raw readings pruned. */
async function sourceFile(): Promise<string> {
  const file = path.join(dir, `history-${++files}.sqlite`);
  const store = openSqliteHistory(file);
  // Quarter degrees: sums are exact in binary, so either database's mean is the same number.
  await store.append(Array.from({ length: 432 }, (_, i) => reading(ATTIC, T0 + i * 600_000, (i % 17) * 0.25)));
  await store.append(Array.from({ length: 192 }, (_, i) => reading(KITCHEN, T0 + DAY + i * 900_000, 40 + (i % 9), "%")));
  await store.prune({ raw: T0 + DAY });
  await store.close();
  return file;
}

const RANGES: Omit<HistoryQuery, "topic">[] = [
  { from: T0, to: T0 + 3 * DAY - 1, maxPoints: 1000 }, // reaches before the raw horizon: minute roll-ups
  { from: T0, to: T0 + 3 * DAY - 1, maxPoints: 30 }, // hour roll-ups
  { from: T0 + 2 * DAY, to: T0 + 3 * DAY - 1, maxPoints: 1000 }, // raw
  { from: T0 + 2 * DAY, to: T0 + 3 * DAY - 1, maxPoints: 40 }, // raw, bucketed
];

/** Every chart the two stores draw, side by side. */
async function assertSameCharts(sqliteFile: string, url: string): Promise<void> {
  const sqlite = openSqliteHistory(sqliteFile);
  const postgres = openPgHistory({ url });
  try {
    for (const topic of [ATTIC, KITCHEN]) {
      for (const range of RANGES) {
        const q = { topic, ...range };
        assert.deepEqual(await postgres.query(q), await sqlite.query(q), `${topic} ${JSON.stringify(range)}`);
      }
    }
    const pgTopics = await postgres.topics();
    for (const t of await sqlite.topics()) assert.ok(pgTopics.some((p) => p.topic === t.topic && p.unit === t.unit), t.topic);
  } finally {
    await sqlite.close();
    await postgres.close();
  }
}

describe("migrateHistoryToPg", () => {
  it("copies every tier so that charts read the same, and verifies the counts", async () => {
    const file = await sourceFile();
    const url = await freshTarget();
    const progress: MigrateProgress[] = [];
    const result = await migrateHistoryToPg({ sqliteFile: file, url, chunk: 100, onProgress: (p) => progress.push(p) });
    assert.equal(result.verified, true);
    assert.deepEqual(result.target, result.source);
    assert.deepEqual(result.copiedNow, { raw: 288 + 192, minute: 432 + 192, hour: 72 + 48 });
    assert.deepEqual(progress.at(-1), { table: "hour", copied: 120, total: 120 });
    await assertSameCharts(file, url);
  });

  it("continues a stopped copy where it stopped, with no duplicates, and a finished one copies nothing", async () => {
    const file = await sourceFile();
    const url = await freshTarget();
    // The target already holds a reading the hub recorded there: it is kept, and counted.
    const target = openPgHistory({ url });
    await target.append([reading(HALL, T0 + 5 * DAY, 19)]);
    await target.close();

    const stop = new AbortController();
    const first = await migrateHistoryToPg({
      sqliteFile: file,
      url,
      chunk: 100,
      signal: stop.signal,
      onProgress: (p) => p.copied >= 200 && stop.abort(),
    });
    assert.deepEqual([first.verified, first.copiedNow], [false, { raw: 200, minute: 0, hour: 0 }]);

    const second = await migrateHistoryToPg({ sqliteFile: file, url, chunk: 100 });
    assert.equal(second.verified, true);
    assert.deepEqual(second.copiedNow, { raw: 480 - 200, minute: 624, hour: 120 });
    assert.deepEqual(second.target, { raw: 481, minute: 625, hour: 625 });
    await assertSameCharts(file, url);

    const third = await migrateHistoryToPg({ sqliteFile: file, url });
    assert.deepEqual([third.verified, third.copiedNow], [true, { raw: 0, minute: 0, hour: 0 }]);
  });

  it("runs as `npm run hearth -- migrate --to <url>`, printing progress and the verified counts", async () => {
    const dataDir = path.join(dir, "data-cli");
    const store = openSqliteHistory(path.join(dataDir, "history.sqlite"));
    await store.append(Array.from({ length: 30 }, (_, i) => reading(ATTIC, T0 + i * 60_000, i)));
    await store.close();
    const url = await freshTarget();
    const root = path.resolve(import.meta.dirname, "../..");
    const run = () =>
      promisify(execFile)(process.execPath, ["--import", "tsx", "broker/cli.ts", "migrate", "--to", url], {
        env: { ...process.env, HEARTH_DATA_DIR: dataDir },
        cwd: root,
      });
    const { stdout } = await run();
    assert.match(stdout, /raw readings: 30 of 30/);
    assert.match(stdout, /Verified: 30 raw readings/);
    const again = await run();
    assert.match(again.stdout, /Verified/);
    const postgres = openPgHistory({ url });
    try {
      assert.equal((await postgres.readRaw({ topic: ATTIC, from: T0, to: T0 + DAY, limit: 100 })).length, 30);
    } finally {
      await postgres.close();
    }
  });
});

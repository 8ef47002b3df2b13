import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { seededTopic, seedHistory } from "../e2e/seed-history";
import { openSqliteHistoryReader } from "../lib/history/sqlite-reader";
import { createLogger } from "../lib/log";
import { createQueryPool } from "./history-query-pool";

const HOUR_MS = 3_600_000;

test("the chart pool's reader threads answer as the web thread's own reader does, many charts at once", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "hearth-pool-"));
  const end = Date.now();
  seedHistory(dir, { sensors: 4, hours: 2, end });
  const file = path.join(dir, "history.sqlite");
  const direct = openSqliteHistoryReader(file);
  const pool = createQueryPool({ file, log: createLogger("test"), size: 2 });
  try {
    const queries = [0, 1, 2, 3].flatMap((i) => [
      { topic: seededTopic(i), from: end - 2 * HOUR_MS, to: end, maxPoints: 100 },
      { topic: seededTopic(i), from: end - 30 * 24 * HOUR_MS, to: end, maxPoints: 1000 },
    ]);
    const pooled = await Promise.all(queries.map((q) => pool.query(q)));
    for (const [i, q] of queries.entries()) {
      const expected = await direct.query(q);
      assert.ok(expected.points.length > 0, q.topic);
      assert.deepEqual(pooled[i], expected, `${q.topic} ${q.maxPoints}`);
    }
  } finally {
    await pool.close();
    direct.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a query the pool cannot answer fails with the reader's error, and the pool goes on", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "hearth-pool-"));
  const end = Date.now();
  seedHistory(dir, { sensors: 1, hours: 1, end });
  const pool = createQueryPool({ file: path.join(dir, "history.sqlite"), log: createLogger("test") });
  try {
    await assert.rejects(pool.query({ topic: seededTopic(0), from: end, to: end - HOUR_MS, maxPoints: 0 }));
    const series = await pool.query({ topic: seededTopic(0), from: end - HOUR_MS, to: end, maxPoints: 50 });
    assert.ok(series.points.length > 0);
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

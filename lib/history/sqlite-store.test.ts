import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { MIGRATIONS, openDatabase } from "./sqlite-schema";
import { openSqliteHistory } from "./sqlite-store";
import { historyStoreContract } from "./store-contract";

const dir = mkdtempSync(join(tmpdir(), "hearth-history-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** A path that no earlier test has used, so every test starts from an empty database. */
const freshFile = () => join(dir, `history-${++files}.db`);

historyStoreContract("SQLite in memory", () => openSqliteHistory(":memory:"));
historyStoreContract("SQLite file", () => openSqliteHistory(freshFile()));

const T0 = Date.UTC(2026, 0, 1);
const attic = (ts: number, value: number) => ({
  topic: "home/attic/temperature",
  room: "attic",
  measurement: "temperature",
  value,
  unit: "°C",
  ts,
});

describe("openSqliteHistory", () => {
  it("keeps readings across close and reopen", async () => {
    const file = freshFile();
    const first = openSqliteHistory(file);
    await first.append([attic(T0, 20), attic(T0 + 1000, 21)]);
    await first.close();

    const second = openSqliteHistory(file);
    try {
      const series = await second.query({ topic: "home/attic/temperature", from: T0, to: T0 + 1000, maxPoints: 10 });
      assert.deepEqual([series.unit, series.points], [
        "°C",
        [
          { t: T0, v: 20 },
          { t: T0 + 1000, v: 21 },
        ],
      ]);
      assert.deepEqual(await second.latest(), [attic(T0 + 1000, 21)]);
    } finally {
      await second.close();
    }
  });

  it("writes through a page cache of at most 2 MiB, so a burst of readings does not stay in the hub's memory (issue 12)", () => {
    const db = openDatabase(freshFile());
    try {
      // Negative: KiB. The writer's pages filled a 32 MiB cache in the memory bench's burst and were kept.
      const kib = -(db.pragma("cache_size", { simple: true }) as number);
      assert.ok(kib > 0 && kib <= 2048, `cache_size ${kib} KiB`);
    } finally {
      db.close();
    }
  });

  it("creates missing parent directories, turns WAL on and records the schema version", async () => {
    const file = join(dir, "nested", "data", "history.db");
    await openSqliteHistory(file).close();
    const db = new Database(file, { readonly: true });
    try {
      assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
      assert.equal(db.pragma("user_version", { simple: true }), 2);
    } finally {
      db.close();
    }
  });

  it("throws an error naming the path when the parent is a regular file", () => {
    const parent = join(dir, "not-a-directory");
    writeFileSync(parent, "plain file");
    const file = join(parent, "history.db");
    assert.throws(() => openSqliteHistory(file), (error: Error) => error.message.includes(file));
  });

  it("throws an error naming the path when the file is not a database", () => {
    const file = freshFile();
    writeFileSync(file, "this is not an SQLite database, only text that is long enough to have a header".repeat(20));
    assert.throws(
      () => openSqliteHistory(file),
      (error: Error) => error.message.includes(file) && /not a database/.test(error.message),
    );
  });

  it("rolls up the readings of a database written before roll-ups existed (schema 1 → 2)", async () => {
    const file = freshFile();
    const old = new Database(file);
    old.exec(MIGRATIONS[0]);
    old.pragma("user_version = 1");
    old.exec("INSERT INTO topics (id, topic, unit) VALUES (1, 'home/attic/temperature', '°C')");
    const insert = old.prepare("INSERT INTO readings (topic_id, ts, value) VALUES (1, ?, ?)");
    for (let i = 0; i < 120; i++) insert.run(T0 + i * 60_000, i % 10);
    old.close();

    const store = openSqliteHistory(file);
    try {
      assert.deepEqual((await store.size()).rows, { raw: 120, minute: 120, hour: 2 });
      await store.prune({ raw: T0 + 7_200_000 });
      const series = await store.query({ topic: "home/attic/temperature", from: T0, to: T0 + 7_199_999, maxPoints: 2 });
      assert.deepEqual([series.tier, series.points], [
        "hour",
        [
          { t: T0, v: 4.5, min: 0, max: 9 },
          { t: T0 + 3_600_000, v: 4.5, min: 0, max: 9 },
        ],
      ]);
    } finally {
      await store.close();
    }
  });

  it("refuses a database written by a newer schema version", () => {
    const file = freshFile();
    const db = new Database(file);
    db.pragma("user_version = 99");
    db.close();
    assert.throws(() => openSqliteHistory(file), (error: Error) => error.message.includes(file) && /99/.test(error.message));
  });
});

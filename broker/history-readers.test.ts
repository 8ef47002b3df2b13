// The web thread's history reader threads (issue 13: people reading history at once do not
// queue behind each other more than SQLite requires; a long read does not hold up the web
// thread). Real threads over a real seeded SQLite file; ordering, not milliseconds.
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { after, test } from "node:test";
import { seededTopic, seedHistory } from "../e2e/seed-history";
import { rawCsvStream } from "../lib/history/csv-stream";
import { collectSeries } from "../lib/history/series";
import { openSqliteHistoryReader } from "../lib/history/sqlite-reader";
import type { Logger } from "../lib/log";
import { HISTORY_READERS_CLOSED, HISTORY_UNREADABLE } from "../lib/history/reader-wire";
import { createHistoryReaders } from "./history-readers";
import { ownThreadId, SCHED_IDLE, SCHED_OTHER, threadScheduling } from "./thread-priority";

const HOUR_MS = 3_600_000;
const end = Date.now();
const dir = mkdtempSync(path.join(tmpdir(), "hearth-readers-"));
after(() => rmSync(dir, { recursive: true, force: true }));
// Sensor 0 has 3 days of readings at one a second (259,200 rows): reading them all is the long read.
seedHistory(dir, { sensors: 2, hours: 72, end });
const file = path.join(dir, "history.sqlite");
const LONG = { topic: seededTopic(0), from: end - 72 * HOUR_MS, to: end, limit: 1_000_000 };
const LONG_ROWS = 72 * 3600;
const SMALL_CHART = { topic: seededTopic(1), from: end - HOUR_MS, to: end, maxPoints: 60 };

const logged: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
const log: Logger = {
  debug() {},
  info: (message, fields) => void logged.push({ level: "info", message, fields }),
  warn: (message, fields) => void logged.push({ level: "warn", message, fields }),
  error: (message, fields) => void logged.push({ level: "error", message, fields }),
};

/** Settles to the order in which the promises resolved. */
function finishingOrder(named: Record<string, Promise<unknown>>): Promise<string[]> {
  const order: string[] = [];
  return Promise.all(Object.entries(named).map(([name, p]) => p.then(() => order.push(name)))).then(() => order);
}

test("the reader threads answer every read as the web thread's own reader does", async () => {
  const direct = openSqliteHistoryReader(file);
  const readers = createHistoryReaders({ file, size: 2, log });
  try {
    const chart = { topic: seededTopic(0), from: end - 30 * 24 * HOUR_MS, to: end, maxPoints: 500 };
    for (const q of [chart, SMALL_CHART, { ...SMALL_CHART, maxPoints: 5000 }, { ...SMALL_CHART, topic: "home/none/x" }]) {
      assert.deepEqual(await readers.query(q), await direct.query(q));
      assert.deepEqual(await collectSeries((into) => readers.readSeries(q, into)), await direct.query(q));
    }
    const raw = { topic: seededTopic(1), from: end - HOUR_MS, to: end, limit: 5000 };
    assert.deepEqual(await readers.readRaw(raw), await direct.readRaw(raw));
    assert.equal(await readers.countRaw(raw), await direct.countRaw(raw));
    const chunks: number[][] = [[], []];
    for (const [i, r] of [readers, direct].entries()) {
      let after = null;
      do {
        const chunk: Awaited<ReturnType<typeof r.readRawChunk>> = await r.readRawChunk({ ...raw, limit: 1000, after }, (t, v) => chunks[i].push(t, v));
        after = chunk.next;
      } while (after !== null);
    }
    assert.equal(chunks[0].length, 2 * 3600);
    assert.deepEqual(chunks[0], chunks[1]);
    assert.deepEqual(await readers.topics(), await direct.topics());
    assert.deepEqual(await readers.latest(), await direct.latest());
    assert.deepEqual((await readers.size()).rows, (await direct.size()).rows);
    // A bad query fails as it would on the web thread: the same class and message.
    await assert.rejects(readers.query({ ...SMALL_CHART, maxPoints: 0 }), RangeError);
  } finally {
    await readers.close();
    direct.close();
  }
});

test("a chart's series asked together are one request to a thread, and one failed read fails alone", async () => {
  const direct = openSqliteHistoryReader(file);
  const readers = createHistoryReaders({ file, size: 1, log });
  try {
    await readers.topics();
    const before = readers.threads().requests;
    const month = { from: end - 30 * 24 * HOUR_MS, to: end, maxPoints: 1000 };
    const asked = [0, 1, 0, 1, 0, 1].map((i) => ({ ...month, topic: seededTopic(i) }));
    const got = await Promise.all(asked.map((q) => readers.query(q)));
    assert.equal(readers.threads().requests - before, 1, "six series, one request");
    for (const [i, q] of asked.entries()) assert.deepEqual(got[i], await direct.query(q));
    const [bad, good] = await Promise.allSettled([readers.query({ ...SMALL_CHART, maxPoints: 0 }), readers.query(SMALL_CHART)]);
    assert.equal(bad.status, "rejected");
    assert.ok((bad as PromiseRejectedResult).reason instanceof RangeError);
    assert.deepEqual((good as PromiseFulfilledResult<unknown>).value, await direct.query(SMALL_CHART));
  } finally {
    await readers.close();
    direct.close();
  }
});

test("with two reader threads, a small chart read asked during a long read answers first", async () => {
  const readers = createHistoryReaders({ file, size: 2, log });
  try {
    // Both threads up, as after a few page renders (a thread's start is not what is tested here):
    // a second thread starts for a read that waits while the first is busy.
    const busy = readers.readRaw(LONG);
    while (readers.threads().ready < 2) await readers.topics();
    await busy;
    const long = readers.readRaw(LONG);
    const chart = readers.query(SMALL_CHART);
    assert.deepEqual(await finishingOrder({ long, chart }), ["chart", "long"]);
    assert.equal((await long).length, LONG_ROWS);
    assert.ok((await chart).points.length > 0);
  } finally {
    await readers.close();
  }
});

// review-17 F5: an export's count (up to 1,000,001 rows scanned) queued with a chart while both
// threads are busy went in one request with the chart's series, and the chart's replies waited for it.
test("with both threads busy, a chart queued behind an export's count is not held by the count", async () => {
  const readers = createHistoryReaders({ file, size: 2, log });
  try {
    const busy = readers.readRaw(LONG);
    while (readers.threads().ready < 2) await readers.topics();
    await busy;
    const first = readers.readRaw(LONG);
    const second = readers.readRaw(LONG);
    await nextTurn(); // both threads now hold a long read
    const count = readers.countRaw({ ...LONG, limit: 1_000_001 });
    const minute = { from: end - 60_000, to: end, maxPoints: 60 };
    const chart = Promise.all(Array.from({ length: 20 }, (_, i) => readers.query({ ...minute, topic: seededTopic(i % 2) })));
    assert.deepEqual(await finishingOrder({ count, chart }), ["chart", "count"]);
    assert.equal(await count, LONG_ROWS);
    assert.equal((await chart).length, 20);
    await Promise.all([first, second]);
  } finally {
    await readers.close();
  }
});

test("an export read on the reader threads stops reading when its client goes away", async () => {
  const readers = createHistoryReaders({ file, size: 2, log });
  try {
    let reads = 0;
    const counting = { readRawChunk: (...a: Parameters<typeof readers.readRawChunk>) => (reads++, readers.readRawChunk(...a)) };
    const job = { topics: [{ topic: seededTopic(0), unit: "°C" }], from: LONG.from, to: LONG.to, maxRows: 1_000_000, filter: "home/#", zone: "UTC" };
    const it = rawCsvStream(counting, job).getReader();
    await it.read();
    await it.cancel();
    const atCancel = reads;
    await readers.topics(); // a read queued after the cancel answers: nothing of the export is left ahead of it
    assert.ok(atCancel <= 2, `read ${atCancel} chunks for one`);
    assert.equal(reads, atCancel);
  } finally {
    await readers.close();
  }
});

test("the web thread keeps taking turns while a long read runs on a reader thread", async () => {
  const readers = createHistoryReaders({ file, size: 1, log });
  try {
    let done = false;
    const long = readers.readRaw(LONG).then((rows) => ((done = true), rows));
    // What a page render needs of the web thread: turns of its event loop, several of them.
    for (let i = 0; i < 3; i++) await nextTurn();
    assert.equal(done, false, "the long read held the web thread until it ended");
    assert.equal((await long).length, LONG_ROWS);
  } finally {
    await readers.close();
  }
});

test("threads start on demand, up to the size, and none is left after close", async () => {
  const osThreads = () => readdirSync("/proc/self/task").length;
  await stat(file); // libuv's pool up, so it is not counted as a reader
  const before = osThreads();
  const readers = createHistoryReaders({ file, size: 2, log });
  assert.equal(readers.threads().started, 0, "none before the first read");
  await readers.topics();
  assert.deepEqual({ ...readers.threads(), requests: 0 }, { started: 1, ready: 1, requests: 0 });
  // Reads asked together (a chart's series) go to the free thread in one request: no thread starts for them.
  await Promise.all(Array.from({ length: 8 }, () => readers.query(SMALL_CHART)));
  assert.equal(readers.threads().started, 1, "eight reads asked together while a thread was free");
  // Reads that wait while that thread is busy start another, and no more than the size.
  const busy = readers.readRaw(LONG);
  await Promise.all(Array.from({ length: 8 }, () => readers.query(SMALL_CHART)));
  assert.equal(readers.threads().started, 2, "eight reads beside a long one: two threads, no more");
  await busy;
  assert.ok(osThreads() > before);
  const pending = assert.rejects(readers.readRaw(LONG), { code: HISTORY_READERS_CLOSED });
  await readers.close();
  await pending;
  await assert.rejects(readers.topics(), { code: HISTORY_READERS_CLOSED, message: /not open/ });
  assert.equal(readers.threads().started, 0);
  assert.equal(osThreads(), before, "every reader thread has ended");
});

test("a database that cannot be opened fails each read with a code and one log line, and is read once it can be", async () => {
  const missing = path.join(dir, "not-yet.sqlite");
  const readers = createHistoryReaders({ file: missing, size: 2, log });
  try {
    logged.length = 0;
    await assert.rejects(readers.topics(), { code: HISTORY_UNREADABLE, message: /cannot open/ });
    await assert.rejects(readers.query(SMALL_CHART), { code: HISTORY_UNREADABLE });
    assert.deepEqual(
      logged.map((l) => [l.level, l.fields?.code]),
      [["error", HISTORY_UNREADABLE]],
    );
    copyFileSync(file, missing); // the file is back (a disk remounted, say): the next read opens it
    assert.equal((await readers.topics()).length, 2);
    assert.deepEqual(logged.at(-1)?.message, "history database readable again");
  } finally {
    await readers.close();
  }
  assert.equal(readers.threads().started, 0);
});

/** This process's threads under each scheduling policy, with their nice values (thread-priority.ts). */
function threadsByPolicy(): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const tid of readdirSync("/proc/self/task")) {
    const s = threadScheduling(Number(tid));
    if (s) out.set(s.policy, [...(out.get(s.policy) ?? []), s.nice]);
  }
  return out;
}

test("reader threads give way to the broker's thread: SCHED_IDLE at nice 10, or nice 10 alone when asked", { skip: ownThreadId() === null && "not Linux" }, async () => {
  const floor = Math.max(threadScheduling(ownThreadId()!)!.nice, 10);
  assert.equal(threadsByPolicy().get(SCHED_IDLE), undefined, "no idle thread before");
  const idle = createHistoryReaders({ file, size: 2, log });
  try {
    logged.length = 0;
    // A long read keeps one thread busy, so the charts asked beside it start the second (reads asked together go in one request).
    const busy = idle.readRaw(LONG);
    await Promise.all(Array.from({ length: 4 }, () => idle.query(SMALL_CHART)));
    await busy;
    assert.equal(idle.threads().started, 2);
    // Preempted at once when the broker's thread wakes on their core (issue 13); every other thread keeps its policy.
    assert.deepEqual(threadsByPolicy().get(SCHED_IDLE), [floor, floor]);
    assert.deepEqual(logged, [], "nothing to say when the threads got what was asked");
  } finally {
    await idle.close();
  }
  const niced = createHistoryReaders({ file, size: 1, log, priority: "nice" });
  try {
    await niced.query(SMALL_CHART);
    assert.equal(threadsByPolicy().get(SCHED_IDLE), undefined, "HEARTH_WEB_PRIORITY=nice: no idle thread");
    assert.ok(threadsByPolicy().get(SCHED_OTHER)!.includes(floor), "the reader thread at nice 10");
  } finally {
    await niced.close();
  }
});

// /api/history/raw's handler (raw-export.ts; the route only adds getHub) over a real SQLite
// file: a client that goes away stops the reads (issue 13: "a client that goes away stops
// the query"; review-14 F5), during the stream and during the count before it.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { after, before, test } from "node:test";
import { ATTIC, KITCHEN, series, T0 } from "./contract-fixtures";
import { CHUNK_ROWS } from "./csv-stream";
import { exportRaw } from "./raw-export";
import { CLIENT_GONE } from "./serve-with";
import { openSqliteHistoryReader } from "./sqlite-reader";
import type { HistoryReader } from "./store";
import { openSqliteHistory } from "./sqlite-store";

const CELLAR = "home/cellar/temperature";
const ROWS = CHUNK_ROWS * 4; // four chunks a topic, twelve in all
let dir: string;
let reader: HistoryReader;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "hearth-raw-export-"));
  const file = path.join(dir, "history.sqlite");
  const store = openSqliteHistory(file);
  for (const topic of [ATTIC, CELLAR, KITCHEN]) await store.append(series(topic, ROWS, (i) => i % 100));
  await store.close();
  reader = openSqliteHistoryReader(file);
});
after(() => {
  reader.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The real reader, counting the reads the export asks of it and keeping the last one in flight. */
function watched(onCount?: () => void) {
  const seen = { counts: 0, chunks: 0, inFlight: Promise.resolve() as Promise<unknown> };
  const history: HistoryReader = {
    ...reader,
    countRaw(q) {
      seen.counts++;
      onCount?.();
      return reader.countRaw(q);
    },
    readRawChunk(q, into) {
      seen.chunks++;
      const read = reader.readRawChunk(q, into);
      seen.inFlight = read;
      return read;
    },
  };
  return { history, seen };
}

const url = `http://hub.local/api/history/raw?topic=${encodeURIComponent("home/+/+")}&from=${T0}&to=${T0 + ROWS * 1000}&tz=UTC`;

test("the whole export reads every chunk (what the aborted ones are compared with)", async () => {
  const { history, seen } = watched();
  const response = await exportRaw(history, new Request(url));
  assert.equal(response.status, 200);
  const text = await response.text();
  assert.equal(text.split("\r\n").filter((l) => l.startsWith("20")).length, 3 * ROWS);
  assert.equal(seen.counts, 3);
  assert.ok(seen.chunks >= 12, `${seen.chunks} chunk reads`);
});

test("a client that stops reading mid-export (the body cancelled) gets no further chunk read", async () => {
  const { history, seen } = watched();
  const response = await exportRaw(history, new Request(url));
  const body = response.body!.getReader();
  assert.equal((await body.read()).done, false); // the header and the first chunk's rows
  await body.cancel();
  await seen.inFlight; // the one chunk read ahead (the stream's high-water mark), if any
  await nextTurn();
  await nextTurn();
  // The first chunk, and at most the one the stream pulled ahead while the client read.
  assert.ok(seen.chunks <= 2, `${seen.chunks} chunk reads after the client left`);
});

test("a client that goes away mid-export (request.signal) gets no further chunk read", async () => {
  const { history, seen } = watched();
  const gone = new AbortController();
  const response = await exportRaw(history, new Request(url, { signal: gone.signal }));
  const body = response.body!.getReader();
  assert.equal((await body.read()).done, false);
  gone.abort();
  await assert.rejects(async () => {
    for (let r = await body.read(); !r.done; r = await body.read());
  }, /abort/i);
  assert.ok(seen.chunks <= 2, `${seen.chunks} chunk reads after the client left`);
});

test("a client that goes away during the count stops it: no further count, no chunk read", async () => {
  const gone = new AbortController();
  const { history, seen } = watched(() => gone.abort()); // leaves while the first topic is counted
  const response = await exportRaw(history, new Request(url, { signal: gone.signal }));
  assert.equal(response.status, 499);
  assert.equal(((await response.json()) as { error: { code: string } }).error.code, CLIENT_GONE);
  assert.equal(seen.counts, 1);
  assert.equal(seen.chunks, 0);
});

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { rawToCsv } from "./csv";
import { PIECE_BYTES } from "./csv-bytes";
import { CHUNK_ROWS, rawCsvStream } from "./csv-stream";
import { readAll } from "./read-stream";
import type { Reading } from "../readings";
import { openSqliteHistoryReader } from "./sqlite-reader";
import type { HistoryReader } from "./store";
import { openSqliteHistory } from "./sqlite-store";

const T0 = Date.UTC(2026, 0, 1);
const reading = (topic: string, ts: number, value: number): Reading => ({ topic, room: "x", measurement: "y", value, unit: "°C", ts });

let dir: string;
let reader: HistoryReader;
// Two readings share each timestamp, so a chunk boundary falls between equal times.
const attic = Array.from({ length: CHUNK_ROWS * 2 + 10 }, (_, i) => reading("home/attic/temperature", T0 + Math.floor(i / 2) * 1000, i));
const cellar = Array.from({ length: 7 }, (_, i) => reading("home/cellar/temperature", T0 + i * 1000, -i));

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "hearth-csv-stream-"));
  const file = path.join(dir, "history.sqlite");
  const store = openSqliteHistory(file);
  await store.append([...attic, ...cellar]);
  await store.close();
  reader = openSqliteHistoryReader(file);
});
after(() => {
  reader.close();
  rmSync(dir, { recursive: true, force: true });
});

const topics = [
  { topic: "home/attic/temperature", unit: "°C" },
  { topic: "home/cellar/temperature", unit: "°C" },
];
const range = { from: T0, to: T0 + 86_400_000 };

const expected = (rows: Reading[][]) =>
  rows.map((r, i) => (i === 0 ? rawToCsv(r[0].topic, "°C", r.map(({ ts, value }) => ({ t: ts, v: value })))
    : rawToCsv(r[0].topic, "°C", r.map(({ ts, value }) => ({ t: ts, v: value }))).split("\r\n").slice(1).join("\r\n"))).join("");

test("a streamed export holds every row once, in order, under one header, a chunk at a time", async () => {
  let reads = 0;
  const counting = { readRawChunk: (...a: Parameters<HistoryReader["readRawChunk"]>) => (reads++, reader.readRawChunk(...a)) };
  const { text, chunks, largest } = await readAll(rawCsvStream(counting, { topics, ...range, maxRows: 1_000_000, filter: "home/+/temperature", zone: "UTC" }));
  assert.equal(text, expected([attic, cellar]));
  // The attic's two full chunks, its last 10 rows (and the empty read that ends it), the cellar's 7.
  assert.equal(reads, 4);
  // Each query's rows in pieces no larger than PIECE_BYTES, the header first.
  assert.ok(chunks > 4 && largest <= PIECE_BYTES, `${chunks} chunks, the largest ${largest} bytes`);
});

test("the row limit ends the file where it falls", async () => {
  const { text } = await readAll(rawCsvStream(reader, { topics, ...range, maxRows: CHUNK_ROWS + 3, filter: "home/#", zone: "UTC" }));
  assert.equal(text, expected([attic.slice(0, CHUNK_ROWS + 3)]));
});

test("an empty range still gives a file with its header", async () => {
  const { text } = await readAll(rawCsvStream(reader, { topics, from: 0, to: 1, maxRows: 10, filter: "home/#", zone: "UTC" }));
  assert.equal(text, rawToCsv("home/#", "", []));
});

test("a client that goes away stops the reads", async () => {
  let reads = 0;
  const counting = { readRawChunk: (...a: Parameters<HistoryReader["readRawChunk"]>) => (reads++, reader.readRawChunk(...a)) };
  const stream = rawCsvStream(counting, { topics, ...range, maxRows: 1_000_000, filter: "home/#", zone: "UTC" });
  const it = stream.getReader();
  await it.read();
  await it.cancel();
  const after = reads;
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(after <= 2, `read ${after} chunks for one`);
  assert.equal(reads, after);
});

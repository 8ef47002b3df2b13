// Issue 14 on the two-thread hub: with HEARTH_DATABASE_URL set, the hub's store writes to
// PostgreSQL and the web thread's reader (open-history.ts, what lib/hub-link.ts opens from
// the HistorySource the hub hands it) reads the same history through a pool of its own —
// a chart's series and a streamed raw export, a chunk at a time — and says
// database-unreachable (the routes' 503) when PostgreSQL is away.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { loadConfig } from "../config";
import type { Logger } from "../log";
import { sharedPostgresUrl } from "../pg/test-postgres";
import { freePort } from "../../e2e/free-port";
import { ATTIC, KITCHEN, reading, T0 } from "./contract-fixtures";
import { rawToCsv } from "./csv";
import { PIECE_BYTES } from "./csv-bytes";
import { CHUNK_ROWS, rawCsvStream } from "./csv-stream";
import { readAll } from "./read-stream";
import { openHistory, openHistoryReader, type OpenedHistory } from "./open-history";
import { querySeries } from "./series";
import type { HistoryReader, RawCursor, RawReading } from "./store";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const HOUR = 3_600_000;
/** Long enough for every reading written (the attic's span 84 minutes). */
const RANGE = { from: T0, to: T0 + 2 * HOUR };

/** A database of its own, named by a URL as a user would give it. */
async function freshDatabase(serverUrl: string): Promise<string> {
  const name = `web_${process.pid}_${Date.now()}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.href;
}

// Two readings share each second, so chunk boundaries fall between equal times.
const attic = Array.from({ length: CHUNK_ROWS * 2 + 10 }, (_, i) => reading(ATTIC, T0 + Math.floor(i / 2) * 1000, i));
// The same time and value three times over: rows an export must all keep.
const kitchen = [1, 2, 2, 2, 3].map((v, i) => reading(KITCHEN, T0 + Math.min(i, 1) * 1000, v, "%"));

let hub: OpenedHistory;
let web: HistoryReader;

before(async () => {
  const databaseUrl = await freshDatabase(await sharedPostgresUrl());
  const config = loadConfig({ HEARTH_DATABASE_URL: databaseUrl, HEARTH_DATA_DIR: "/nonexistent-hearth-data" }, process.cwd());
  hub = openHistory(config, quiet);
  assert.deepEqual(hub.source, { kind: "postgres", url: databaseUrl });
  await hub.store.append([...attic, ...kitchen]);
  web = openHistoryReader(hub.source, quiet);
});
after(async () => {
  await web?.close();
  await hub?.store.close();
});

describe("the web thread's history reader with HEARTH_DATABASE_URL", () => {
  it("reads what the hub's store wrote, from PostgreSQL, not a SQLite file", async () => {
    assert.ok(!hub.where.includes("nonexistent-hearth-data"), hub.where);
    assert.deepEqual(await web.topics(), [
      { topic: ATTIC, unit: "°C" },
      { topic: KITCHEN, unit: "%" },
    ]);
    const [series] = await querySeries(web, { topic: ATTIC, ...RANGE, points: 100 });
    assert.equal(series.unit, "°C");
    assert.equal(series.points[0].t, T0);
    assert.ok(series.points.length > 1 && series.points.length <= 100, `${series.points.length} points`);
    // The chart the web thread draws is the one the hub's own store answers.
    assert.deepEqual(series, await hub.store.query({ topic: ATTIC, ...RANGE, maxPoints: 100 }));
  });

  it("streams a raw export of every row once, in order, a chunk at a time", async () => {
    const topics = [
      { topic: ATTIC, unit: "°C" },
      { topic: KITCHEN, unit: "%" },
    ];
    const job = { topics, ...RANGE, maxRows: 1_000_000, filter: "home/#", zone: "UTC" };
    const { text, chunks, largest } = await readAll(rawCsvStream(web, job));
    const kitchenRows = rawToCsv(KITCHEN, "%", rows(kitchen), "UTC").split("\r\n").slice(1).join("\r\n");
    assert.equal(text, rawToCsv(ATTIC, "°C", rows(attic), "UTC") + kitchenRows);
    // The header, then each query's rows in pieces no larger than PIECE_BYTES.
    assert.ok(chunks > 4 && largest <= PIECE_BYTES, `${chunks} chunks, the largest ${largest} bytes`);
    assert.equal(await web.countRaw({ topic: ATTIC, ...RANGE, limit: 1_000_000 }), attic.length);
    assert.equal(await web.countRaw({ topic: ATTIC, from: T0, to: T0 + HOUR, limit: 7 }), 7);
  });

  it("keeps every one of identical readings when a chunk ends among them", async () => {
    const got: RawReading[] = [];
    let after: RawCursor | null = null;
    for (let page = 0; page < 10; page++) {
      const chunk = await web.readRawChunk({ topic: KITCHEN, from: T0, to: T0 + HOUR, limit: 2, after }, (t, v) => got.push({ t, v }));
      after = chunk.next;
      if (after === null) break;
    }
    assert.deepEqual(got, rows(kitchen));
  });

  it("says database-unreachable, which the routes answer with 503, while PostgreSQL is away", async () => {
    const away = openHistoryReader({ kind: "postgres", url: `postgres://hearth:s3cret@127.0.0.1:${await freePort()}/hearth` }, quiet);
    try {
      await assert.rejects(away.countRaw({ topic: ATTIC, from: T0, to: T0 + HOUR, limit: 10 }), (error: { code?: string; message: string }) => {
        assert.equal(error.code, "database-unreachable");
        assert.ok(!error.message.includes("s3cret"), error.message);
        return true;
      });
    } finally {
      await away.close();
    }
  });
});

function rows(rs: readonly { ts: number; value: number }[]): RawReading[] {
  return rs.map(({ ts, value }) => ({ t: ts, v: value }));
}

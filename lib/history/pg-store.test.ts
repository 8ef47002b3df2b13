// The history contract on a real PostgreSQL 15 (lib/pg/test-postgres.ts): every test
// gets a schema of its own, so it starts from an empty store.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import pg from "pg";
import { freshSchema, sharedPostgresUrl } from "../pg/test-postgres";
import { ATTIC, reading, T0 } from "./contract-fixtures";
import { partitionName, dayOf } from "./pg-schema";
import { openPgHistory } from "./pg-store";
import { historyStoreContract } from "./store-contract";

let url = "";
before(async () => {
  url = await sharedPostgresUrl();
});

historyStoreContract("PostgreSQL", async () => openPgHistory({ url, schema: await freshSchema(url) }));

const DAY = 86_400_000;

async function partitions(schema: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = $1::regclass ORDER BY c.relname`,
      [`${schema}.readings`],
    );
    return rows.map((r) => r.relname);
  } finally {
    await client.end();
  }
}

describe("openPgHistory: raw readings partitioned by day", () => {
  it("makes today's and the coming days' partitions at start, and one for an old day on demand", async () => {
    const schema = await freshSchema(url);
    const now = T0 + 10 * DAY + 5000;
    const store = openPgHistory({ url, schema, now: () => now });
    try {
      await store.append([reading(ATTIC, T0 + 1000, 20)]);
      const today = dayOf(now);
      assert.deepEqual(await partitions(schema), [dayOf(T0), today, today + 1, today + 2].map(partitionName).sort());
    } finally {
      await store.close();
    }
  });

  it("drops whole days at the raw cutoff and deletes only inside the day it falls in", async () => {
    const schema = await freshSchema(url);
    const store = openPgHistory({ url, schema, now: () => T0 + 3 * DAY });
    try {
      // One reading every 6 hours over three days.
      await store.append(Array.from({ length: 12 }, (_, i) => reading(ATTIC, T0 + i * 6 * 3_600_000, i)));
      const counts = await store.prune({ raw: T0 + DAY + 12 * 3_600_000 });
      assert.equal(counts.raw, 6, "day 1 (4 readings) dropped, two of day 2's deleted");
      const names = await partitions(schema);
      assert.ok(!names.includes(partitionName(dayOf(T0))), "the first day's partition is gone");
      assert.ok(names.includes(partitionName(dayOf(T0 + DAY))), "the day holding the cutoff stays");
      const left = await store.readRaw({ topic: ATTIC, from: T0, to: T0 + 3 * DAY, limit: 100 });
      assert.deepEqual(left.map((r) => r.v), [6, 7, 8, 9, 10, 11]);
    } finally {
      await store.close();
    }
  });

  it("makes a day again when another process dropped it, on the next try of the batch", async () => {
    const schema = await freshSchema(url);
    const writer = openPgHistory({ url, schema, now: () => T0 + 3 * DAY });
    const pruner = openPgHistory({ url, schema, now: () => T0 + 3 * DAY });
    try {
      await writer.append([reading(ATTIC, T0, 20)]);
      await pruner.prune({ raw: T0 + DAY });
      // The writer still believes the first day has a partition: the batch fails whole, as
      // a failed write does, and the recorder tries it again.
      await assert.rejects(writer.append([reading(ATTIC, T0 + 1000, 21)]));
      await writer.append([reading(ATTIC, T0 + 1000, 21)]);
      assert.deepEqual(await writer.readRaw({ topic: ATTIC, from: T0, to: T0 + DAY, limit: 10 }), [{ t: T0 + 1000, v: 21 }]);
    } finally {
      await writer.close();
      await pruner.close();
    }
  });
});

// How the PostgreSQL history store (pg-store.ts) writes a batch of readings: one
// statement for the readings and both roll-ups when every topic is known, a
// transaction with the topics' upsert when not, and, after the database refused a
// batch for some reading's own data, the batch again reading by reading, each in a
// SAVEPOINT, so the refused ones fail alone (closing-note-5; SQLite's since review-5 #2).
import type pg from "pg";
import { inTransaction } from "../pg/pool";
import type { Reading } from "../readings";
import * as sql from "./pg-queries";
import { rollupBatch, TIER_WIDTH_MS, type Rollup } from "./rollup";

type TopicRow = { id: number; unit: string };

const ROLLUP_TIERS = ["minute", "hour"] as const;

/** `topics`: topic → id and unit, for topics whose row is known to be committed; the writes add to it after each commit. */
export function createPgWrites(pool: pg.Pool, topics: Map<string, TopicRow>) {
  const cached = (topic: string): TopicRow | undefined => topics.get(topic);

  /** The readings' topics that are new or whose unit changed, upserted on `db`: their rows, to cache only after the commit. */
  async function upsertTopics(db: pg.PoolClient, changed: [string, string][]): Promise<Map<string, TopicRow>> {
    const { rows } = await db.query<{ id: number; topic: string; unit: string }>(sql.UPSERT_TOPICS, [changed.map(([t]) => t), changed.map(([, u]) => u)]);
    return new Map(rows.map((row) => [row.topic, { id: row.id, unit: row.unit }]));
  }

  /** Each topic's last unit in the batch, where it differs from the known row's. */
  function changedUnits(readings: readonly Reading[], known: (topic: string) => TopicRow | undefined): [string, string][] {
    const lastUnit = new Map<string, string>();
    for (const r of readings) lastUnit.set(r.topic, r.unit);
    return [...lastUnit].filter(([topic, unit]) => known(topic)?.unit !== unit);
  }

  /** The readings and both roll-ups in one statement: atomic by itself. */
  function writeReadings(db: pg.Pool | pg.PoolClient, readings: readonly Reading[], known: (topic: string) => TopicRow | undefined) {
    const idOf = (topic: string) => known(topic)!.id;
    const [minute, hour] = ROLLUP_TIERS.map((tier) => rollupColumns(rollupBatch(readings, TIER_WIDTH_MS[tier]), idOf));
    return db.query(sql.INSERT_BATCH, [
      readings.map((r) => idOf(r.topic)),
      readings.map((r) => Math.round(r.ts)),
      readings.map((r) => r.value),
      ...minute,
      ...hour,
    ]);
  }

  async function insertBatch(readings: readonly Reading[]): Promise<void> {
    const changed = changedUnits(readings, cached);
    if (changed.length === 0) {
      // Every topic known and unchanged, the common case: one round trip, no transaction.
      await writeReadings(pool, readings, cached);
      return;
    }
    const fresh = await inTransaction(pool, async (client) => {
      const rows = await upsertTopics(client, changed);
      await writeReadings(client, readings, (topic) => rows.get(topic) ?? cached(topic));
      return rows;
    });
    // Only after the commit: a rolled-back topic's id may go to another topic next time.
    for (const [topic, row] of fresh) topics.set(topic, row);
  }

  /**
   * After the database refused a batch for its data: the batch again, each reading in a
   * SAVEPOINT of its own within one transaction, so what the database refuses is rolled
   * back alone and the rest commits (as the SQLite store does since review-5 #2). Returns
   * the refused readings' indexes. A failure of anything but the reading's own data (the
   * connection lost) fails the whole transaction, and the caller retries it all later.
   */
  async function insertApart(readings: readonly Reading[]): Promise<Map<number, Error>> {
    const refused = new Map<number, Error>();
    const fresh = new Map<string, TopicRow>();
    const known = (topic: string) => fresh.get(topic) ?? cached(topic);
    await inTransaction(pool, async (client) => {
      for (const [i, reading] of readings.entries()) {
        const one = [reading];
        await client.query("SAVEPOINT reading");
        try {
          const changed = changedUnits(one, known);
          const rows = changed.length === 0 ? null : await upsertTopics(client, changed);
          await writeReadings(client, one, (topic) => rows?.get(topic) ?? known(topic));
          await client.query("RELEASE SAVEPOINT reading");
          for (const [topic, row] of rows ?? []) fresh.set(topic, row);
        } catch (error) {
          if (!refusedForItsData(error)) throw error;
          await client.query("ROLLBACK TO SAVEPOINT reading");
          refused.set(i, error as Error);
        }
      }
    });
    for (const [topic, row] of fresh) topics.set(topic, row);
    return refused;
  }

  return { insertBatch, insertApart };
}

/**
 * A statement refused for the data it was given, which no retry changes: SQLSTATE class
 * 22 "data exception" (text holding NUL, 22021; a number out of range, 22003), 23
 * "integrity constraint violation" and 54 "program limit exceeded" (a topic too long for
 * its index, 54000). Not the 23514 of a row with no partition: a prune dropped its day
 * meanwhile, and the retry makes the day again.
 */
export function refusedForItsData(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== "string" || !/^(22|23|54)/.test(code)) return false;
  return !(code === "23514" && /no partition/i.test((error as Error).message));
}

/** A roll-up batch as the column arrays INSERT_BATCH unnests. */
function rollupColumns(rollups: readonly Rollup[], idOf: (topic: string) => number): unknown[] {
  return [
    rollups.map((r) => idOf(r.topic)),
    rollups.map((r) => r.start),
    rollups.map((r) => r.min),
    rollups.map((r) => r.max),
    rollups.map((r) => r.sum),
    rollups.map((r) => r.count),
  ];
}

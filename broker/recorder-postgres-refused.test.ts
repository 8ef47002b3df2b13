// A reading PostgreSQL refuses is dropped alone (closing-note-5, "noticed and left
// alone"; review-5 #2 did this for SQLite): the recorder used to retry the whole batch
// forever, so one bad reading held every reading written with it, and every later one,
// unacknowledged. Now the store writes the batch reading by reading, each in its own
// SAVEPOINT, the refused reading's message alone hears "not stored" (history-refused,
// with its topic, in the log) and the rest are stored and acknowledged.
// A real broker, a real recorder and a real PostgreSQL 15 (the run's shared server).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { T0 } from "../lib/history/contract-fixtures";
import { openPgHistory, type PgHistoryStore } from "../lib/history/pg-store";
import { HISTORY_REFUSED } from "../lib/history/store";
import type { Fields, Logger } from "../lib/log";
import { freshSchema, sharedPostgresUrl } from "../lib/pg/test-postgres";
import { createLocalBus } from "./local-bus";
import { createBroker, type Broker } from "./mqtt/broker";
import { createMemoryStore } from "./mqtt/memory-store";
import { ReadingNotStored, startRecorder, type Recorder } from "./recorder";

const lines: { message: string; fields: Fields }[] = [];
const line = (message: string, fields: Fields = {}) => void lines.push({ message, fields });
const log: Logger = { debug: line, info: line, warn: line, error: line };

/** A unit with a NUL character: valid JSON, a valid JS string, and text PostgreSQL cannot store (22021). */
const NUL_UNIT = JSON.stringify({ value: 9, unit: "\u0000", ts: T0 + 1000 });

const bus = createLocalBus();
let broker: Broker;
let store: PgHistoryStore;
let recorder: Recorder;

before(async () => {
  const url = await sharedPostgresUrl();
  broker = await createBroker({ hooks: [bus], store: createMemoryStore(), log });
  bus.attach(broker);
  store = openPgHistory({ url, schema: await freshSchema(url), log });
  recorder = await startRecorder(bus, store, { log });
});
after(async () => {
  await recorder.stop();
  await store.close();
  await broker.close();
});

const publish = (topic: string, value: number, payload = JSON.stringify({ value, ts: T0 + value * 1000 })) =>
  broker.publish({ topic, payload, qos: 1 });

/** Lets the broker deliver what was published: the recorder has seen `count` readings in all. */
async function delivered(count: number): Promise<void> {
  for (let turns = 0; turns < 1000; turns++) {
    const { pending, recorded } = recorder.stats();
    if (pending + recorded >= count) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.fail(`the recorder saw ${JSON.stringify(recorder.stats())} of ${count} readings`);
}

async function stored(topic: string): Promise<number[]> {
  return (await store.readRaw({ topic, from: T0, to: T0 + 3_600_000, limit: 100 })).map((r) => r.v);
}

describe("the recorder on PostgreSQL, with a reading the database refuses", () => {
  it("stores the rest of the batch, fails only the refused reading's message, logs history-refused with its topic, and goes on", async () => {
    // One turn: the three readings are one batch, one INSERT, which the NUL unit fails.
    const kitchen = publish("home/kitchen/temperature", 21);
    const cellar = publish("home/cellar/temperature", 9, NUL_UNIT);
    const attic = publish("home/attic/temperature", 23);
    cellar.catch(() => {});
    await delivered(3);
    await recorder.flush();
    assert.deepEqual(recorder.stats(), { recorded: 2, unreadable: 0, pending: 0 }, "nothing is left to retry");
    await Promise.all([kitchen, attic]);
    await assert.rejects(cellar, (error: Error & { code?: string }) => error instanceof ReadingNotStored && error.reason === "refused");
    assert.deepEqual(await stored("home/kitchen/temperature"), [21]);
    assert.deepEqual(await stored("home/attic/temperature"), [23]);
    assert.deepEqual(await stored("home/cellar/temperature"), []);
    const refusal = lines.find((l) => l.fields.code === HISTORY_REFUSED);
    assert.equal(refusal?.fields.topic, "home/cellar/temperature", JSON.stringify(lines));

    // Later readings, the cellar's own among them, are written at once: no backed-off retry holds them.
    await Promise.all([publish("home/kitchen/temperature", 22), publish("home/cellar/temperature", 10)]);
    assert.deepEqual(await stored("home/kitchen/temperature"), [21, 22]);
    assert.deepEqual(await stored("home/cellar/temperature"), [10]);
    assert.deepEqual(recorder.stats(), { recorded: 4, unreadable: 0, pending: 0 });
  });

  it("drops a numeric topic too long for PostgreSQL's topic index (54000) alone, and stores the reading beside it", async () => {
    // Random hex does not compress: past btree's 2704-byte row limit. MQTT allows 65,535 bytes, SQLite has no limit.
    const long = `sensors/${randomBytes(3000).toString("hex")}`;
    const tooLong = broker.publish({ topic: long, payload: "5", qos: 1 });
    const fine = publish("home/hall/temperature", 19);
    tooLong.catch(() => {});
    await delivered(recorder.stats().recorded + 2);
    await recorder.flush();
    await fine;
    await assert.rejects(tooLong, (error: Error) => error instanceof ReadingNotStored && error.reason === "refused");
    assert.deepEqual(await stored("home/hall/temperature"), [19]);
    assert.ok(lines.some((l) => l.fields.code === HISTORY_REFUSED && l.fields.topic === long));
    assert.equal(recorder.stats().pending, 0);
  });
});

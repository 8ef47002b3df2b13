// Issue 14, "bad input and faults", for history on PostgreSQL: a database that is
// unreachable when the hub starts, and one that goes away and comes back. Readings
// published meanwhile wait in the recorder's bounded buffer and are all stored once
// the database answers; alert changes wait in the alert store's write queue. A real broker, a real recorder and a real PostgreSQL 15 that
// this test starts, stops and restarts (so it gets its own server, not the shared one).
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { T0 } from "../lib/history/contract-fixtures";
import { openPgAlertStore } from "../lib/alerts/pg-alert-store";
import { openPgHistory } from "../lib/history/pg-store";
import type { HistoryStore } from "../lib/history/store";
import type { Fields, Logger } from "../lib/log";
import { freePort } from "../e2e/free-port";
import { startTestPostgres, type TestPostgres } from "../lib/pg/test-postgres";
import { createLocalBus } from "./local-bus";
import { createBroker, type Broker } from "./mqtt/broker";
import { createMemoryStore } from "./mqtt/memory-store";
import { startRecorder, type Recorder } from "./recorder";

const TOPIC = "home/attic/temperature";

function collectingLogger() {
  const lines: { message: string; fields: Fields }[] = [];
  const line = (message: string, fields: Fields = {}) => void lines.push({ message, fields });
  const log: Logger = { debug: line, info: line, warn: line, error: line };
  return { log, lines, codes: () => lines.map((l) => l.fields.code).filter(Boolean) };
}

/**
 * Publishes readings; Hearth's broker resolves each publish once its row has committed,
 * so while the database is away the promise waits (like a device's unacknowledged QoS 1).
 */
function publishReadings(broker: Broker, first: number, count: number): Promise<void[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => broker.publish({ topic: TOPIC, payload: JSON.stringify({ value: first + i, ts: T0 + (first + i) * 1000 }) })),
  );
}

/** Lets the broker deliver what was published: the recorder has seen `count` readings in all. */
async function delivered(recorder: Recorder, count: number): Promise<void> {
  for (let turns = 0; turns < 1000; turns++) {
    const { pending, recorded } = recorder.stats();
    if (pending + recorded >= count) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.fail(`the recorder saw ${JSON.stringify(recorder.stats())} of ${count} readings`);
}

/**
 * Flushes until the recorder has written `count` readings in all; each try fails fast
 * while the database is away. (A batch in flight counts neither as pending nor as recorded.)
 */
async function flushUntilRecorded(recorder: Recorder, count: number): Promise<void> {
  for (let tries = 0; tries < 200 && recorder.stats().recorded < count; tries++) {
    await recorder.flush();
    if (recorder.stats().recorded < count) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.deepEqual(recorder.stats(), { recorded: count, unreadable: 0, pending: 0 }, "the recorder wrote everything it held");
}

async function storedValues(store: HistoryStore): Promise<number[]> {
  return (await store.readRaw({ topic: TOPIC, from: T0, to: T0 + 3_600_000, limit: 10_000 })).map((r) => r.v);
}

let server: TestPostgres | null = null;
const bus = createLocalBus();
const broker = await createBroker({ hooks: [bus], store: createMemoryStore(), log: collectingLogger().log });
bus.attach(broker);
after(async () => {
  server?.stop();
  await broker.close();
});

describe("PostgreSQL stores when the database is away", () => {
  it("starts without its database, logs database-unreachable, and stores every buffered reading once it is up", async () => {
    const port = await freePort();
    const url = `postgres://hearth@127.0.0.1:${port}/postgres`;
    const { log, lines, codes } = collectingLogger();
    const store = openPgHistory({ url, log, backoff: { initialMs: 20, maxMs: 200 } });
    const recorder = await startRecorder(bus, store, { log, flushIntervalMs: 10 });
    try {
      const early = publishReadings(broker, 0, 50);
      await delivered(recorder, 50);
      await recorder.flush();
      assert.equal(recorder.stats().recorded, 0, "the readings wait in the buffer");
      assert.ok(codes().includes("database-unreachable"), `a log line with the code, got ${JSON.stringify(lines.slice(0, 3))}`);
      await assert.rejects(store.topics(), (error: { code?: string }) => error.code === "database-unreachable");
      assert.ok(!lines.some((l) => String(l.fields.database ?? "").includes("secret")));

      server = await startTestPostgres({ port });
      const later = publishReadings(broker, 50, 10);
      await delivered(recorder, 60);
      await flushUntilRecorded(recorder, 60);
      await Promise.all([early, later]);
      assert.deepEqual(await storedValues(store), Array.from({ length: 60 }, (_, i) => i));

      // Gone and back: the recorder holds what arrives meanwhile, nothing stored is lost.
      server.pause();
      const during = publishReadings(broker, 60, 40);
      await delivered(recorder, 100);
      await recorder.flush();
      assert.equal(recorder.stats().recorded, 60, "nothing written while the database is away");
      await assert.rejects(store.query({ topic: TOPIC, from: T0, to: T0 + 100_000, maxPoints: 10 }), (error: { code?: string }) =>
        error.code === "database-unreachable",
      );
      server.resume();
      await flushUntilRecorded(recorder, 100);
      await during;
      assert.deepEqual(await storedValues(store), Array.from({ length: 100 }, (_, i) => i));
    } finally {
      await recorder.stop();
      await store.close();
    }
  });

  it("keeps alert changes made while the database is away, and stores them when it is back", async () => {
    assert.ok(server, "the first test started the server");
    const { log, codes } = collectingLogger();
    const url = server.url;
    const store = await openPgAlertStore({ url, schema: "alerts_outage", log, backoff: { initialMs: 20, maxMs: 200 } });
    server.pause();
    const event = { ruleId: "attic-hot", ruleName: "Attic hot", severity: "warning" as const, topic: TOPIC, kind: "fired" as const, at: T0, value: 27, reason: "threshold" as const, notified: true };
    store.appendHistory([event]);
    // The engine reads its own writes at once, database or not.
    assert.deepEqual(store.history({ limit: 5 }).map((e) => e.at), [T0]);
    for (let turns = 0; turns < 1000 && !codes().includes("database-unreachable"); turns++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(codes().includes("database-unreachable"), "a log line with the code");
    server.resume();
    await store.close();
    const again = await openPgAlertStore({ url, schema: "alerts_outage", log });
    try {
      assert.deepEqual(again.history({ limit: 5 }).map((e) => e.at), [T0]);
    } finally {
      await again.close();
    }
  });
});

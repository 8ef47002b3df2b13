// When the hub's write group commits (issue 12, fan-in CPU budget; broker/mqtt/write-group.ts):
// a QoS 0 reading has nobody waiting for its row, so it joins a later group instead of
// costing a transaction per event-loop turn; anything an acknowledgement waits for is
// written at once, and "acknowledged means stored" still holds: a QoS 1 reading's PUBACK
// leaves only once its row (and every QoS 0 row before it) is on disk. The live path,
// delivery to subscribers, never waits for either.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { generate, type IPubackPacket, type IPublishPacket, type Packet } from "mqtt-packet";
import { ATTIC, reading, T0 } from "../lib/history/contract-fixtures";
import { openHubStores } from "./hub-stores";
import { createLocalBus } from "./local-bus";
import { startRecorder } from "./recorder";
import type { SqliteBrokerStore } from "./mqtt/sqlite-store";
import { rawConnected, until } from "./mqtt/test-clients";
import { quietLog, startTestBroker } from "./mqtt/test-server";
import { refuseReadingsOf } from "./test-refusal";

const root = mkdtempSync(join(tmpdir(), "hearth-commit-policy-"));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

/** A lazy interval far longer than any test: a QoS 0 row on disk before it can only have been written by an urgent group. */
const NEVER_MS = 600_000;

async function hubOnDisk(lazyGroupMs = NEVER_MS) {
  const dataDir = join(root, `data-${++dirs}`);
  const stores = await openHubStores({ dataDir, databaseUrl: null, durability: "normal" }, quietLog(), quietLog(), { lazyGroupMs });
  const rows = () => {
    const db = new Database(join(dataDir, "history.sqlite"), { readonly: true });
    try {
      return db.prepare("SELECT value FROM readings ORDER BY rowid").pluck().all() as number[];
    } finally {
      db.close();
    }
  };
  return { stores, rows, dataDir, groups: () => (stores.broker as SqliteBrokerStore).stats().groups };
}

const CELLAR = "home/cellar/temperature";

const publish = (topic: string, value: string, qos: 0 | 1, messageId?: number) =>
  ({ cmd: "publish", topic, payload: Buffer.from(value), qos, dup: false, retain: false, messageId }) as const;

describe("the hub's commit policy", () => {
  it("QoS 0 readings reach a subscriber at once but wait for company on disk; a QoS 1 reading's PUBACK waits for its row and takes them along", async () => {
    const { stores, rows } = await hubOnDisk();
    const bus = createLocalBus(quietLog());
    const recorder = await startRecorder(bus, stores.history, { log: quietLog() });
    const t = await startTestBroker({ store: stores.broker, hooks: [bus] });
    const subscriber = await rawConnected(t.port, 4);
    subscriber.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: "home/+/temperature", qos: 0 }] });
    await subscriber.next("suback");
    const sensor = await rawConnected(t.port, 4);

    for (const value of ["20.1", "20.2", "20.3"]) sensor.send(publish(ATTIC, value, 0));
    for (const value of ["20.1", "20.2", "20.3"]) assert.equal(((await subscriber.next("publish")) as IPublishPacket).payload.toString(), value);
    assert.deepEqual(rows(), [], "delivered live, not yet written: nobody waits for a QoS 0 row");

    sensor.send(publish(ATTIC, "20.4", 1, 7));
    assert.equal((await sensor.next("puback")).messageId, 7);
    assert.deepEqual(rows(), [20.1, 20.2, 20.3, 20.4], "the PUBACK left after the commit holding its row, and the QoS 0 rows went with it");
    await until(() => recorder.stats().recorded === 4 && recorder.stats().pending === 0, "the recorder counts the QoS 0 readings once their group committed");

    sensor.socket.destroy();
    subscriber.socket.destroy();
    await t.close();
    await recorder.stop();
    await stores.close();
  });

  it("QoS 1 readings of one turn share a commit, yet one the database refuses fails alone: its PUBACK says so, the others' say stored", async () => {
    const { stores, rows, dataDir } = await hubOnDisk();
    const bus = createLocalBus(quietLog());
    const recorder = await startRecorder(bus, stores.history, { log: quietLog() });
    const t = await startTestBroker({ store: stores.broker, hooks: [bus] });
    const sensor = await rawConnected(t.port, 5);
    sensor.send(publish(CELLAR, "11", 1, 1));
    assert.equal((await sensor.next("puback")).messageId, 1);
    const heal = refuseReadingsOf(dataDir, CELLAR);

    // One write: the broker reads all three in one turn, so they are one group.
    sensor.socket.write(Buffer.concat([publish(ATTIC, "20.1", 1, 2), publish(CELLAR, "12", 1, 3), publish(ATTIC, "20.2", 1, 4)].map((p) => generate(p, { protocolVersion: 5 }))));
    // Below 0x80 is a success (here 0x10, no matching subscribers) [MQTT-3.4.2.1].
    const stored = (a: Packet) => ((a as IPubackPacket).reasonCode ?? 0) < 0x80;
    const acks = [await sensor.next("puback"), await sensor.next("puback"), await sensor.next("puback")].map((a) => [a.messageId, stored(a)]);
    assert.deepEqual(acks, [[2, true], [3, false], [4, true]], "acknowledged in order; only the refused reading's PUBACK says not stored");
    assert.deepEqual(rows(), [11, 20.1, 20.2], "the refused reading alone is missing");

    heal();
    sensor.send(publish(CELLAR, "13", 1, 5));
    const healed = await sensor.next("puback");
    assert.deepEqual([healed.messageId, stored(healed)], [5, true]);
    assert.deepEqual(rows(), [11, 20.1, 20.2, 13], "the refusal held nothing up");
    sensor.socket.destroy();
    await t.close();
    await recorder.stop();
    await stores.close();
  });

  it("a QoS 0 reading is written on its own once the lazy interval has passed, in one group with the others", async () => {
    const { stores, rows, groups } = await hubOnDisk(20);
    const before = groups();
    const written = [1, 2, 3].map((v) => stores.history.append([reading(ATTIC, T0 + v, v)], { lazy: true }));
    await Promise.all(written);
    assert.deepEqual(rows(), [1, 2, 3]);
    assert.equal(groups(), before + 1);
    await stores.close();
  });

  it("a full batch of QoS 0 readings does not wait for the interval", async () => {
    const { stores, rows } = await hubOnDisk();
    const written = Array.from({ length: 1000 }, (_, i) => stores.history.append([reading(ATTIC, T0 + i, i)], { lazy: true }));
    await Promise.all(written);
    assert.equal(rows().length, 1000);
    await stores.close();
  });

  it("an append someone waits for (not lazy) and the broker's own state are written at once", async () => {
    const { stores, rows, groups } = await hubOnDisk();
    await stores.history.append([reading(ATTIC, T0, 21.5)]);
    assert.deepEqual(rows(), [21.5]);
    const before = groups();
    stores.broker.setRetained({ topic: "home/attic/lamp", payload: Buffer.from("ON"), qos: 0, retain: true, properties: {}, expiresAt: null, receivedAt: T0 });
    await until(() => groups() === before + 1, "the retained message's group is written without a commit() call");
    await stores.close();
  });
});

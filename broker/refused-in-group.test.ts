// A reading the database refuses (its own data; a real SQLite trigger, test-refusal.ts) in
// one of the hub's write groups with others (issue 12; broker/mqtt/write-group.ts,
// lib/history/grouped-append.ts): it fails alone, and what the hub says and keeps of it is
// right — the recorder's counts and log (review-7 F5), and no inbound packet id of its
// message is stored without its row, so a resend after a crash is not taken for stored
// (review-7 F10).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { generate, type IPubackPacket, type IPubrecPacket, type Packet } from "mqtt-packet";
import type { AckSlot } from "../lib/ack-slot";
import { ATTIC, reading, T0 } from "../lib/history/contract-fixtures";
import { openHubStores } from "./hub-stores";
import { createLocalBus } from "./local-bus";
import { startRecorder } from "./recorder";
import { rawConnected, until } from "./mqtt/test-clients";
import { quietLog, startTestBroker } from "./mqtt/test-server";
import { refuseReadingsOf } from "./test-refusal";

const root = mkdtempSync(join(tmpdir(), "hearth-refused-in-group-"));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

const CELLAR = "home/cellar/temperature";
/** A QoS 0 reading waits for an urgent group (a QoS 1 one) rather than a timer, so all of them share one group. */
const NEVER_MS = 600_000;

async function hubOnDisk(dataDir = join(root, `data-${++dirs}`)) {
  const stores = await openHubStores({ dataDir, databaseUrl: null, durability: "normal" }, quietLog(), quietLog(), { lazyGroupMs: NEVER_MS });
  const read = <T>(sql: string) => {
    const db = new Database(join(dataDir, "history.sqlite"), { readonly: true });
    try {
      return db.prepare(sql).raw().all() as T[];
    } finally {
      db.close();
    }
  };
  return { stores, dataDir, values: () => read<[number]>("SELECT value FROM readings ORDER BY rowid").map(([v]) => v), read };
}

const publish = (topic: string, value: string, qos: 0 | 1 | 2, messageId?: number, dup = false) =>
  ({ cmd: "publish", topic, payload: Buffer.from(value), qos, dup, retain: false, messageId }) as const;
/** Below 0x80 is a success [MQTT-3.4.2.1], [MQTT-3.5.2.1]. */
const stored = (ack: Packet) => ((ack as IPubackPacket | IPubrecPacket).reasonCode ?? 0) < 0x80;

describe("a reading refused in a write group with others", () => {
  it("one refused QoS 0 reading and one refused QoS 1 reading among stored QoS 1 ones: the recorder counts each as it went (review-7 F5)", async () => {
    const { stores, dataDir, values } = await hubOnDisk();
    const lines: string[] = [];
    const bus = createLocalBus(quietLog());
    const recorder = await startRecorder(bus, stores.history, { log: quietLog(lines) });
    const t = await startTestBroker({ store: stores.broker, hooks: [bus] });
    const sensor = await rawConnected(t.port, 5);
    sensor.send(publish(CELLAR, "11", 1, 1));
    assert.equal((await sensor.next("puback")).messageId, 1);
    const heal = refuseReadingsOf(dataDir, CELLAR);

    // One write: the broker reads them all in one turn, so their readings are one group.
    const packets = [publish(CELLAR, "12", 0), publish(ATTIC, "20.1", 1, 2), publish(ATTIC, "20.2", 1, 3), publish(CELLAR, "13", 1, 4), publish(ATTIC, "20.3", 1, 5)];
    sensor.socket.write(Buffer.concat(packets.map((p) => generate(p, { protocolVersion: 5 }))));
    const acks = [];
    for (let i = 0; i < 4; i++) acks.push(await sensor.next("puback"));
    assert.deepEqual(
      acks.map((a) => [a.messageId, stored(a)]),
      [[2, true], [3, true], [4, false], [5, true]],
    );
    assert.deepEqual(values(), [11, 20.1, 20.2, 20.3], "both refused readings alone are missing");
    await until(() => recorder.stats().pending === 0, "every reading of the group settled in the recorder's counts");
    assert.deepEqual(recorder.stats(), { recorded: 4, unreadable: 0, pending: 0 }, "11 and the three attic readings: recorded; the two cellar ones: not");
    const refusals = lines.filter((line) => line.includes('"code":"history-refused"')).map((line) => JSON.parse(line.slice(line.indexOf("{"))));
    assert.deepEqual(
      refusals.map(({ topic, readings }) => ({ topic, readings })),
      [{ topic: undefined, readings: 1 }, { topic: CELLAR, readings: 1 }],
      "one line for the QoS 0 reading, one for the QoS 1 one, each counting one reading",
    );

    heal();
    sensor.socket.destroy();
    await t.close();
    await recorder.stop();
    await stores.close();
  });

  it("a QoS 2 reading refused in the write that holds its inbound packet id: after a crash, its resend is not taken for stored (review-7 F10)", async () => {
    const first = await hubOnDisk();
    const clientId = "cellar-sensor";
    await first.stores.history.append([reading(CELLAR, T0, 11)]);
    const heal = refuseReadingsOf(first.dataDir, CELLAR);
    // What the broker does for a persistent session's QoS 2 PUBLISH (handlers/publish.ts):
    // the reading joins the write group with the message's slot, and so does its packet id.
    first.stores.broker.saveSession({ clientId, protocolVersion: 5, expiryInterval: 3600, disconnectedAt: null, will: null, owner: null });
    const slot: AckSlot = { failed: null };
    first.stores.history.append([reading(CELLAR, T0 + 1, 12)], { ackSlot: slot }).catch(() => {});
    first.stores.broker.addInbound(clientId, { packetId: 9, qos: 2 }, slot);
    await first.stores.broker.commit();
    assert.match(String(slot.failed?.message), /refused by a trigger/);
    // The crash: before the group that would forget the id (after the PUBREC 0x80 the hub never sent).
    await first.stores.close();
    assert.deepEqual(first.read("SELECT client_id FROM inbound"), [], "the refused message's id was not stored");

    const again = await hubOnDisk(first.dataDir);
    const bus = createLocalBus(quietLog());
    const recorder = await startRecorder(bus, again.stores.history, { log: quietLog() });
    const t = await startTestBroker({ store: again.stores.broker, hooks: [bus] });
    const sensor = await rawConnected(t.port, 5, { clientId, clean: false, properties: { sessionExpiryInterval: 3600 } });
    assert.equal((sensor.received[0] as { sessionPresent: boolean }).sessionPresent, true);
    // The client never had its PUBREC: it sends the message again [MQTT-4.4.0-1].
    sensor.send(publish(CELLAR, "12", 2, 9, true));
    const refused = await sensor.next("pubrec");
    assert.deepEqual([refused.messageId, stored(refused)], [9, false], "the resend is a new message, refused again: not acknowledged as stored");

    heal();
    sensor.send(publish(CELLAR, "12", 2, 9, true));
    const accepted = await sensor.next("pubrec");
    assert.deepEqual([accepted.messageId, stored(accepted)], [9, true]);
    assert.deepEqual(again.values(), [11, 12], "stored once the database takes it");
    sensor.send({ cmd: "pubrel", messageId: 9 });
    await sensor.next("pubcomp");

    sensor.socket.destroy();
    await t.close();
    await recorder.stop();
    await again.stores.close();
  });
});

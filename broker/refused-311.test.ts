// A 3.1.1 device's QoS 1/2 reading that the history database refuses for its own data (a
// real SQLite trigger, test-refusal.ts), on Hearth's own broker: 3.1.1 has no negative
// PUBACK, so closing the connection (`store-failed`) only made the device send the same
// reading again on every reconnect, for ever (the device-side twin of review-7 F3). It is
// acknowledged, and logged `history-refused` with a count; a failure a resend could mend
// still closes the connection, so nothing that could have been stored is acknowledged.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import type { MqttClient } from "mqtt";
import { openHubStores } from "./hub-stores";
import { createLocalBus } from "./local-bus";
import type { BrokerHook } from "./mqtt/hooks";
import { connectClient, until, WAIT_MS } from "./mqtt/test-clients";
import { quietLog, startTestBroker } from "./mqtt/test-server";
import { startRecorder } from "./recorder";
import { refuseReadingsOf } from "./test-refusal";

const root = mkdtempSync(join(tmpdir(), "hearth-refused-311-"));
after(() => rmSync(root, { recursive: true, force: true }));

const CELLAR = "home/cellar/temperature";
const ATTIC = "home/attic/temperature";

/** The hub's own stores on disk, its bus and recorder, and the broker with the bus as its hook, as broker/hub.ts composes them. */
async function hubOnDisk(name: string, lines: string[]) {
  const dataDir = join(root, name);
  const stores = await openHubStores({ dataDir, databaseUrl: null, durability: "normal" }, quietLog(), quietLog());
  const bus = createLocalBus(quietLog());
  const recorder = await startRecorder(bus, stores.history, { log: quietLog() });
  const t = await startTestBroker({ store: stores.broker, hooks: [bus], log: quietLog(lines) });
  const values = () => {
    const db = new Database(join(dataDir, "history.sqlite"), { readonly: true });
    try {
      return (db.prepare("SELECT value FROM readings ORDER BY rowid").raw().all() as [number][]).map(([v]) => v);
    } finally {
      db.close();
    }
  };
  const close = async () => {
    await t.close();
    await recorder.stop();
    await stores.close();
  };
  return { dataDir, port: t.port, values, close };
}

/** A 3.1.1 device with a persistent session, as most devices connect; it counts its connections. */
async function device311(port: number) {
  const client = await connectClient(port, { protocolVersion: 4, clientId: "cellar-sensor", clean: false });
  const seen = { closes: 0 };
  client.on("close", () => seen.closes++);
  return { client, seen };
}

/** `promise`, or a failure naming `what` after WAIT_MS: a PUBACK that never comes must fail the test, not hang it. */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), WAIT_MS)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const gateLines = (lines: string[]) => lines.filter((l) => l.includes('"code":"history-refused"'));

describe("a 3.1.1 device's reading the history database refuses for its own data (own broker)", () => {
  it("QoS 1 and QoS 2: acknowledged, the connection stays, the next reading is stored, and the refusals are one counted line", async () => {
    const lines: string[] = [];
    const hub = await hubOnDisk("acked", lines);
    let device: { client: MqttClient; seen: { closes: number } } | null = null;
    try {
      device = await device311(hub.port);
      await device.client.publishAsync(CELLAR, "11", { qos: 1 });
      const heal = refuseReadingsOf(hub.dataDir, CELLAR);
      await within(device.client.publishAsync(CELLAR, "12", { qos: 1 }), "the refused QoS 1 reading's PUBACK");
      await within(device.client.publishAsync(CELLAR, "13", { qos: 2 }), "the refused QoS 2 reading's PUBCOMP");
      await within(device.client.publishAsync(ATTIC, "20.5", { qos: 1 }), "the next reading's PUBACK");
      assert.equal(device.seen.closes, 0, "never disconnected for a reading no resend could store");
      assert.ok(!lines.some((l) => l.includes("store-failed")), lines.join("\n"));
      assert.deepEqual(hub.values(), [11, 20.5], "the refused readings alone are missing");
      const logged = gateLines(lines);
      assert.equal(logged.length, 1, `the second refusal waits for the window's line: ${logged.join("\n")}`);
      assert.match(logged[0], /acknowledged/);
      assert.match(logged[0], /"refused":1/);
      assert.match(logged[0], /"client":"cellar-sensor"/);
      heal();
    } finally {
      device?.client.end(true);
      await hub.close();
    }
  });

  it("a failure a resend could mend still closes a 3.1.1 connection (store-failed): it is not acknowledged", async () => {
    const lines: string[] = [];
    const failing: BrokerHook<undefined> = { onPublished: () => Promise.reject(new Error("the history store fell behind")) };
    const t = await startTestBroker({ hooks: [failing], log: quietLog(lines) });
    const device = await device311(t.port);
    try {
      let acked = false;
      device.client.publishAsync(CELLAR, "12", { qos: 1 }).then(
        () => (acked = true),
        () => {},
      );
      await until(() => device.seen.closes === 1, "the broker closes the connection");
      assert.equal(acked, false);
      assert.ok(lines.some((l) => l.includes('"code":"store-failed"')), lines.join("\n"));
      assert.equal(gateLines(lines).length, 0);
    } finally {
      device.client.end(true);
      await t.close();
    }
  });
});

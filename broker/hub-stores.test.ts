// The hub's stores with SQLite history (issue 12, the crash window): the broker's tables
// live in history.sqlite and one write group commits both, so a message's inbound id
// and its reading's row are stored together or not at all; both stores keep their
// contracts there; an earlier version's data/broker.sqlite is imported once and a
// restart after the upgrade forgets nothing.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import Database from "better-sqlite3";
import { ATTIC, reading, T0 } from "../lib/history/contract-fixtures";
import { HISTORY_REFUSED } from "../lib/history/store";
import { refuseReadingsOf } from "./test-refusal";
import { historyStoreContract } from "../lib/history/store-contract";
import { createLocalBus } from "./local-bus";
import { quietLog } from "./mqtt/test-server";
import { startRecorder } from "./recorder";
import { openHubStores, type HubStores } from "./hub-stores";
import { freePort } from "../e2e/free-port";
import { brokerStoreContract, message, outgoing, session, subscription } from "./mqtt/store-contract";
import { openSqliteBrokerStore, WRITE_FAILED, type SqliteBrokerStore } from "./mqtt/sqlite-store";
import type { BrokerStore, StoredMessage } from "./mqtt/store";
import { CHANGE_REFUSED } from "./mqtt/write-group";

const root = mkdtempSync(join(tmpdir(), "hearth-hub-stores-"));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `data-${++dirs}`);
const open = (dataDir: string, lines: string[] = []) =>
  openHubStores({ dataDir, databaseUrl: null, durability: "normal" }, quietLog(lines), quietLog(lines));

/** Which hub stores each broker store belongs to, so reopen restarts the same data directory. */
const owners = new WeakMap<BrokerStore, { dataDir: string; stores: HubStores }>();
async function openBroker(dataDir: string): Promise<BrokerStore> {
  const stores = await open(dataDir);
  owners.set(stores.broker, { dataDir, stores });
  return stores.broker;
}
brokerStoreContract("SQLite, the broker's tables in history.sqlite", {
  open: () => openBroker(freshDir()),
  async reopen(store) {
    const { dataDir, stores } = owners.get(store)!;
    await stores.close();
    return openBroker(dataDir);
  },
});

historyStoreContract("SQLite, appends in the hub's write group", async () => {
  const stores = await open(freshDir());
  return { ...stores.history, close: () => stores.close() };
});

const CELLAR = "home/cellar/temperature";

/** Straight from the file, as another process would see it after a crash. */
function onDisk(dataDir: string) {
  const db = new Database(join(dataDir, "history.sqlite"), { readonly: true });
  try {
    return {
      readings: db.prepare("SELECT value FROM readings").pluck().all() as number[],
      inbound: db.prepare("SELECT packet_id FROM inbound").pluck().all() as number[],
    };
  } finally {
    db.close();
  }
}

describe("hub stores on SQLite", () => {
  // review-5 #2: one device's row failing kept the whole shared group (everyone's state and acks) failing forever.
  it("a reading the database refuses fails alone: the other readings, inbound ids and retained states of its group commit, and later groups too", async () => {
    const dataDir = freshDir();
    const stores = await open(dataDir);
    stores.broker.saveSession(session("plug", { expiryInterval: 3600 }));
    await stores.broker.commit();
    const heal = refuseReadingsOf(dataDir, CELLAR);

    // One turn, as the broker handles PUBLISHes from three clients: two readings (one refused), an inbound id, a retained state.
    const stored = stores.history.append([reading(ATTIC, T0, 21.5)]);
    const refused = stores.history.append([reading(CELLAR, T0, 12)]);
    stores.broker.addInbound("plug", { packetId: 7, qos: 2 });
    stores.broker.setRetained(message("home/hall/lamp/state", "ON", { retain: true }));
    await stores.broker.commit();
    await stored;
    await assert.rejects(refused, (error: Error & { code?: string }) => error.code === HISTORY_REFUSED);
    assert.deepEqual(onDisk(dataDir), { readings: [21.5], inbound: [7] });
    assert.deepEqual((await stores.broker.load()).retained.map((m) => m.topic), ["home/hall/lamp/state"]);

    // Nothing of it is kept to fail again: the next group commits.
    await stores.history.append([reading(ATTIC, T0 + 1000, 22)]);
    assert.deepEqual(onDisk(dataDir).readings, [21.5, 22]);
    heal();
    await stores.close();
  });

  it("the recorder hands a reading to the group of the turn its message arrived: its row commits with the broker's changes", async () => {
    const dataDir = freshDir();
    const stores = await open(dataDir);
    const bus = createLocalBus(quietLog());
    const recorder = await startRecorder(bus, stores.history, { log: quietLog() });
    stores.broker.saveSession(session("plug", { expiryInterval: 3600 }));
    await stores.broker.commit();

    // As the broker handles one PUBLISH: onPublished (the recorder's reading), then its inbound id, in one turn.
    const effect = bus.onPublished({ topic: ATTIC, payload: Buffer.from("21.5"), qos: 2, retain: false, properties: {}, clientId: "plug" });
    stores.broker.addInbound("plug", { packetId: 9, qos: 2 });
    // A change the database refuses in the same group is dropped alone (review-5 #2); whoever waits on the commit hears it.
    stores.broker.setRetained({ ...message("home/attic/x", "1"), qos: null } as unknown as StoredMessage);
    await assert.rejects(stores.broker.commit(), (error: Error & { code?: string }) => error.code === CHANGE_REFUSED);
    await effect;
    assert.deepEqual(onDisk(dataDir), { readings: [21.5], inbound: [9] });

    // A retained reading: the broker's change comes first in the turn, and still one commit holds all of it.
    const groups = (stores.broker as SqliteBrokerStore).stats().groups;
    stores.broker.setRetained(message(ATTIC, "22", { retain: true }));
    const second = bus.onPublished({ topic: ATTIC, payload: Buffer.from("22"), qos: 2, retain: true, properties: {}, clientId: "plug" });
    stores.broker.addInbound("plug", { packetId: 10, qos: 2 });
    await Promise.all([second, stores.broker.commit()]);
    assert.equal((stores.broker as SqliteBrokerStore).stats().groups, groups + 1);
    assert.deepEqual(onDisk(dataDir), { readings: [21.5, 22], inbound: [9, 10] });
    await recorder.stop();
    await stores.close();
  });

  it("imports an earlier version's broker.sqlite once, renames it aside, and a restart after the upgrade forgets nothing", async () => {
    const dataDir = freshDir();
    const old = openSqliteBrokerStore(join(dataDir, "broker.sqlite"));
    const retained = message("home/kitchen/lamp/state", "ON", { retain: true });
    old.setRetained(retained);
    old.saveSession(session("sleeper", { expiryInterval: 3600, disconnectedAt: T0 }));
    old.saveSubscription("sleeper", subscription("home/#", { qos: 1 }));
    old.saveOutgoing("sleeper", outgoing(1, message("home/attic/temperature", "21.5", { qos: 1 })));
    old.addInbound("sleeper", { packetId: 3, qos: 2 });
    old.addInbound("sleeper", { packetId: 4, qos: 1 });
    await old.close();

    const expected = (await (async () => {
      const first = await open(dataDir);
      const state = await first.broker.load();
      await first.close();
      return state;
    })());
    assert.deepEqual(expected.retained, [retained]);
    const sleeper = expected.sessions.find((s) => s.clientId === "sleeper")!;
    assert.deepEqual(sleeper.subscriptions.map((s) => s.filter), ["home/#"]);
    assert.deepEqual(sleeper.outgoing.map((o) => o.message.payload.toString()), ["21.5"]);
    // A QoS 1 id of the earlier version may have had its PUBACK sent: it is a new message then [MQTT-4.3.2-2].
    assert.deepEqual(sleeper.inbound, [{ packetId: 3, qos: 2 }]);
    assert.equal(existsSync(join(dataDir, "broker.sqlite")), false);
    assert.equal(readdirSync(dataDir).filter((f) => f.startsWith("broker.sqlite.imported-")).length, 1);

    const second = await open(dataDir);
    assert.deepEqual(await second.broker.load(), expected);
    await second.close();
  });

  it("refuses to start on an earlier broker.sqlite it cannot read, with a code, and leaves the file where it is", async () => {
    const dataDir = freshDir();
    await open(dataDir).then((s) => s.close());
    const bad = join(dataDir, "broker.sqlite");
    const db = new Database(bad);
    db.exec("CREATE TABLE x (y)");
    db.pragma("user_version = 99");
    db.close();
    const lines: string[] = [];
    await assert.rejects(open(dataDir, lines), /newer than this Hearth/);
    assert.equal(existsSync(bad), true);
    assert.match(lines.join("\n"), /"code":"broker-import-failed"/);
  });

  it("an import whose commit meets a locked database waits for the retry, imports once the lock is gone, and leaves no timer behind", async () => {
    const dataDir = freshDir();
    await open(dataDir).then((s) => s.close());
    const old = openSqliteBrokerStore(join(dataDir, "broker.sqlite"));
    old.setRetained(message("home/kitchen/lamp/state", "ON", { retain: true }));
    await old.close();
    // Another process holds history.sqlite's write lock: the import's commit fails (SQLITE_BUSY),
    // a failure of the database that the write group retries (review-5 #5), not a refusal.
    const holder = new Database(join(dataDir, "history.sqlite"));
    holder.exec("BEGIN IMMEDIATE");
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const before = timers();
    const lines: string[] = [];
    const opening = open(dataDir, lines);
    let released = false;
    try {
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (!lines.join("\n").includes(`"code":"${WRITE_FAILED}"`)) return;
          clearInterval(poll);
          resolve();
        }, 20);
      });
      assert.equal(existsSync(join(dataDir, "broker.sqlite")), true, "not imported while the commit has not succeeded");
      holder.exec("ROLLBACK");
      released = true;
      const stores = await opening;
      assert.deepEqual(
        (await stores.broker.load()).retained.map((m) => m.topic),
        ["home/kitchen/lamp/state"],
      );
      await stores.close();
      assert.equal(timers(), before, "no retry timer left behind");
    } finally {
      if (!released) holder.exec("ROLLBACK");
      holder.close();
    }
  });
});

describe("switching history between SQLite and PostgreSQL keeps the broker's state", () => {
  // Only the broker's half is under test: PostgreSQL may be away (the hub starts anyway and retries).
  const onPg = async (dataDir: string, lines: string[] = []) =>
    openHubStores({ dataDir, databaseUrl: `postgres://hearth@127.0.0.1:${await freePort()}/hearth`, durability: "normal" }, quietLog(lines), quietLog(lines));

  it("the first start on PostgreSQL carries it from history.sqlite; back on SQLite, the PostgreSQL period's state replaces the old", async () => {
    const dataDir = freshDir();
    const sqlite = await open(dataDir);
    const lamp = message("home/kitchen/lamp/state", "ON", { retain: true });
    const plug = message("home/hall/plug/state", "OFF", { retain: true });
    sqlite.broker.setRetained(lamp);
    sqlite.broker.setRetained(plug);
    sqlite.broker.saveSession(session("sleeper", { expiryInterval: 3600, disconnectedAt: T0 }));
    sqlite.broker.saveSubscription("sleeper", subscription("home/#", { qos: 1 }));
    sqlite.broker.saveOutgoing("sleeper", outgoing(1, message("home/attic/temperature", "21.5", { qos: 1 })));
    await sqlite.broker.commit();
    const before = await sqlite.broker.load();
    await sqlite.close();

    const lines: string[] = [];
    const pg = await onPg(dataDir, lines);
    try {
      assert.deepEqual(await pg.broker.load(), before, "retained states, the session, its subscription and queue");
      assert.match(lines.join("\n"), /"code":"broker-state-carried"/);
      // Meanwhile on PostgreSQL: the plug's retained state is cleared, the sleeper's session ends, a new one starts.
      pg.broker.deleteRetained(plug.topic);
      pg.broker.deleteSession("sleeper");
      pg.broker.saveSession(session("newcomer", { expiryInterval: 600, disconnectedAt: T0 }));
      await pg.broker.commit();
    } finally {
      await pg.close();
    }
    const pgAgain = await onPg(dataDir);
    const duringPg = await pgAgain.broker.load();
    await pgAgain.close();
    assert.deepEqual(duringPg.retained, [lamp], "a later start on PostgreSQL keeps its own state, not history.sqlite's");

    const back = await open(dataDir);
    try {
      assert.deepEqual(await back.broker.load(), duringPg, "nothing cleared on PostgreSQL comes back");
    } finally {
      await back.close();
    }
  });
});

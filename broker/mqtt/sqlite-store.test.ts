import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it, type TestContext } from "node:test";
import Database from "better-sqlite3";
import type { Fields, Logger } from "../../lib/log";
import { openDatabase } from "../../lib/sqlite";
import { MIGRATIONS, openSqliteBrokerStore, type SqliteBrokerStoreOptions } from "./sqlite-store";
import type { BrokerStore } from "./store";
import { brokerStoreContract, message, outgoing, session } from "./store-contract";
import { CHANGE_REFUSED } from "./write-group";

const dir = mkdtempSync(join(tmpdir(), "hearth-broker-store-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** A path that no earlier test has used, so every test starts from an empty database. */
const freshFile = () => join(dir, `broker-${++files}.sqlite`);

/** Which file each open store is on, so reopen opens the same one: a restart of the hub. */
const fileOf = new WeakMap<BrokerStore, string>();
function open(file: string, opts?: SqliteBrokerStoreOptions) {
  const store = openSqliteBrokerStore(file, opts);
  fileOf.set(store, file);
  return store;
}
const harness = (opts?: SqliteBrokerStoreOptions) => ({
  open: () => open(freshFile(), opts),
  async reopen(store: BrokerStore) {
    await store.close();
    return open(fileOf.get(store)!, opts);
  },
});

brokerStoreContract("SQLite file, written at setImmediate", harness());
brokerStoreContract("SQLite file, written 2 ms after a group's first change", harness({ groupDelayMs: 2 }));
brokerStoreContract("SQLite file, synchronous FULL", harness({ durability: "full" }));

function collectingLogger() {
  const lines: { level: string; message: string; fields: Fields }[] = [];
  const line = (level: string) => (message: string, fields: Fields = {}) => void lines.push({ level, message, fields });
  const log: Logger = { debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") };
  return { log, lines };
}

/** A real SQLite refusal, not a stand-in: a trigger's constraint fails every write of the topic, on every try. */
function poison(file: string, topic: string) {
  const db = new Database(file);
  db.exec(`CREATE TRIGGER poison BEFORE INSERT ON retained WHEN NEW.topic = '${topic}'
           BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END`);
  return () => {
    db.exec("DROP TRIGGER poison");
    db.close();
  };
}

function openForTest(t: TestContext, opts?: SqliteBrokerStoreOptions) {
  const file = freshFile();
  const { log, lines } = collectingLogger();
  const state = { store: open(file, { log, ...opts }) };
  t.after(() => state.store.close());
  return { file, lines, state };
}

describe("openSqliteBrokerStore", () => {
  it("syncs commits NORMAL by default (a crash loses nothing) and FULL when durability is full (a power cut neither)", () => {
    for (const [durability, expected] of [[undefined, 1], ["normal", 1], ["full", 2]] as const) {
      const db = openDatabase(freshFile(), MIGRATIONS, "broker state", durability);
      try {
        assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
        assert.equal(db.pragma("synchronous", { simple: true }), expected, `durability ${durability}`);
      } finally {
        db.close();
      }
    }
  });

  it("a database from before session owners gets the column; its sessions have no owner (the next to resume adopts them)", async () => {
    const file = freshFile();
    const old = openDatabase(file, MIGRATIONS.slice(0, 1), "broker state");
    old.prepare("INSERT INTO sessions (client_id, protocol_version, expiry_interval, disconnected_at) VALUES ('lamp', 4, ?, 1)").run(0xffffffff);
    old.close();
    const store = open(file, {});
    try {
      const [restored] = (await store.load()).sessions;
      assert.equal(restored.clientId, "lamp");
      assert.equal(restored.owner, null);
    } finally {
      await store.close();
    }
  });

  it("writes everything changed in one turn of the event loop as one transaction", async (t) => {
    const { state } = openForTest(t);
    const { store } = state;
    store.saveSession(session("sleeper"));
    const commits = [];
    for (let i = 0; i < 100; i++) {
      store.saveOutgoing("sleeper", outgoing(i, message("home/hall/lamp/set", String(i))));
      store.setRetained(message(`home/room${i}/temperature`, String(i), { retain: true }));
      commits.push(store.commit());
    }
    await Promise.all(commits);
    assert.deepEqual(store.stats(), { groups: 1, changes: 201, failures: 0, pending: 0 });
  });

  it("writes a message queued, sent and acknowledged within one group as a single change", async (t) => {
    const { state } = openForTest(t);
    const { store } = state;
    store.saveSession(session("lamp"));
    await store.commit();
    const m = message("home/hall/lamp/set", "ON");
    store.saveOutgoing("lamp", outgoing(1, m));
    store.saveOutgoing("lamp", outgoing(1, m, { state: "sent", packetId: 1 }));
    store.deleteOutgoing("lamp", 1);
    await store.commit();
    assert.deepEqual(store.stats(), { groups: 2, changes: 2, failures: 0, pending: 0 });
    assert.deepEqual((await store.load()).sessions[0].outgoing, []);
  });

  // review-5 #2: the whole group used to be kept and retried forever, failing every later commit too.
  it("refuses a change the database will not take, with its code and a log line; the rest of its group and later groups are stored", async (t) => {
    const { file, lines, state } = openForTest(t);
    const { store } = state;
    store.setRetained(message("home/hall/lamp/state", "ON", { retain: true }));
    await store.commit();
    const heal = poison(file, "home/poison");
    t.after(heal);

    store.setRetained(message("home/attic/fan/state", "ON", { retain: true }));
    store.setRetained(message("home/poison", "x", { retain: true }));
    // Not all of it was stored: whoever waits on this commit must not call it stored.
    await assert.rejects(store.commit(), (error: Error & { code?: string }) => error.code === CHANGE_REFUSED);
    assert.deepEqual(
      lines.map((l) => [l.level, l.fields.code, l.fields.key]),
      [["error", CHANGE_REFUSED, "r/home/poison"]],
    );
    assert.equal(store.stats().pending, 0);

    store.deleteRetained("home/hall/lamp/state");
    await store.commit();
    state.store = open(file);
    await store.close();
    const { retained } = await state.store.load();
    assert.deepEqual(
      retained.map((m) => m.topic),
      ["home/attic/fan/state"],
    );
  });

  it("refuses changes and commits after close instead of losing them silently", async () => {
    const store = openSqliteBrokerStore(freshFile());
    await store.close();
    assert.throws(() => store.setRetained(message("t", "x")), /after close/);
    await assert.rejects(store.commit(), /after close/);
  });

  it("names the file when it is not a database, instead of starting with no state", () => {
    const file = freshFile();
    writeFileSync(file, "not a database, but something a person put here".repeat(100));
    assert.throws(() => openSqliteBrokerStore(file), new RegExp(`broker state: cannot open database "${file}"`));
  });
});

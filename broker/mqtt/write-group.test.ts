// The write group's failures on a real SQLite database (review-5 #2, #5): a disk that is
// full for a while (PRAGMA max_page_count makes SQLite answer SQLITE_FULL, exactly as a
// full disk does) keeps every change and the commits waiting on it until the retry
// stores them; a change whose own row the database refuses is dropped alone, and the
// rest of its group, and every group after it, is stored.
import assert from "node:assert/strict";
import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, it, type TestContext } from "node:test";
import Database from "better-sqlite3";
import { quietLog } from "./test-server";
import { writesOf } from "./sqlite-store";
import { CHANGE_REFUSED, CHANGES_BACKLOG_FULL, createWriteGroups, MAX_BACKLOG, StoreWriteError } from "./write-group";

const FAILED = "test-write-failed";

function openGroups(t: TestContext, busySpacingMs = 0) {
  const db = new Database(":memory:");
  db.exec("CREATE TABLE rows (k TEXT PRIMARY KEY, v BLOB NOT NULL)");
  const lines: string[] = [];
  const groups = createWriteGroups({ ...writesOf(db), delayMs: 0, busySpacingMs, log: quietLog(lines), failureCode: FAILED });
  t.after(() => {
    groups.stop();
    db.close();
  });
  const put = (k: string, v: Buffer | null) => groups.change(k, () => void db.prepare("INSERT OR REPLACE INTO rows VALUES (?, ?)").run(k, v));
  const keys = () => db.prepare("SELECT k FROM rows ORDER BY k").pluck().all();
  /** The disk is full: no page may be added to the file. */
  const fillDisk = () => db.pragma(`max_page_count = ${db.pragma("page_count", { simple: true })}`);
  const freeDisk = () => db.pragma("max_page_count = 1073741823");
  return { db, groups, lines, put, keys, fillDisk, freeDisk };
}

/** Whether the promise has settled by the next turn, and how. */
async function state(promise: Promise<unknown>): Promise<"waiting" | "resolved" | "rejected"> {
  let seen: "waiting" | "resolved" | "rejected" = "waiting";
  promise.then(() => (seen = "resolved"), () => (seen = "rejected"));
  await nextTurn();
  return seen;
}

const big = () => Buffer.alloc(64 * 1024, 1);

describe("write groups under load (busySpacingMs)", () => {
  // A minute: far longer than any turn of this test takes, however loaded the machine,
  // so "the writer wrote a moment ago" holds throughout; writeNow() ends the wait.
  const SPACING_MS = 60_000;

  it("an idle writer commits at once; while it is busy, what arrives over several turns waits and is written as one group", async (t) => {
    const { groups, put, keys } = openGroups(t, SPACING_MS);
    put("a", Buffer.from("1"));
    assert.equal(await state(groups.commit()), "resolved", "nothing written for a while: no window to wait out");
    assert.equal(groups.stats().groups, 1);

    put("b", Buffer.from("2"));
    const second = groups.commit();
    await nextTurn();
    put("c", Buffer.from("3"));
    const third = groups.commit();
    assert.equal(await state(second), "waiting", "a group right after another waits for more");
    assert.deepEqual(keys(), ["a"], "nothing acknowledged-as-stored is reported before its write");

    groups.writeNow();
    await Promise.all([second, third]);
    assert.deepEqual(keys(), ["a", "b", "c"]);
    assert.equal(groups.stats().groups, 2, "b and c, from two turns, in one transaction");
  });
});

describe("write groups: when a write fails", () => {
  it("a full disk keeps the group and its commit waits for the retry that stores it, not 'not stored' first (review-5 #5)", async (t) => {
    const { groups, lines, put, keys, fillDisk, freeDisk } = openGroups(t);
    fillDisk();
    put("a", big());
    put("b", big());
    const committed = groups.commit();
    assert.throws(() => groups.writeNow(), (e: StoreWriteError) => e.code === FAILED);
    assert.equal(await state(committed), "waiting", "a transient failure is not an answer yet");
    assert.match(lines.join("\n"), new RegExp(`"code":"${FAILED}"`));
    assert.deepEqual(keys(), []);

    freeDisk();
    await committed;
    assert.deepEqual(keys(), ["a", "b"]);
    assert.equal(groups.stats().pending, 0);
  });

  it("with no retry to come (stopped, closing) the waiting commits fail", async (t) => {
    const { groups, put, fillDisk } = openGroups(t);
    fillDisk();
    put("a", big());
    const committed = groups.commit();
    groups.stop();
    assert.throws(() => groups.writeNow());
    await assert.rejects(committed, (e: StoreWriteError) => e.code === FAILED);
  });

  it("while writes fail, a commit over the backlog limit is refused at once with a code", async (t) => {
    const { groups, lines, put, fillDisk, freeDisk, keys } = openGroups(t);
    fillDisk();
    put("first", big());
    const early = groups.commit();
    assert.throws(() => groups.writeNow());
    for (let i = 0; i < MAX_BACKLOG; i++) put(`k${i}`, Buffer.from("x"));
    await assert.rejects(groups.commit(), (e: StoreWriteError) => e.code === CHANGES_BACKLOG_FULL);
    assert.match(lines.join("\n"), new RegExp(`"code":"${CHANGES_BACKLOG_FULL}"`));
    // The kept changes are still written when the disk comes back, and the early commit hears so.
    freeDisk();
    await early;
    assert.equal(keys().length, MAX_BACKLOG + 1);
  });

  it("a change whose own row is refused is dropped alone; its group's other changes and later groups are stored (review-5 #2)", async (t) => {
    const { groups, lines, put, keys } = openGroups(t);
    put("a", Buffer.from("1"));
    put("poison", null); // NOT NULL: the same refusal on every try
    put("b", Buffer.from("2"));
    await assert.rejects(groups.commit(), (e: StoreWriteError) => e.code === CHANGE_REFUSED);
    assert.deepEqual(keys(), ["a", "b"]);
    assert.match(lines.join("\n"), new RegExp(`"code":"${CHANGE_REFUSED}","key":"poison"`));
    assert.equal(groups.stats().pending, 0, "nothing is kept to fail again");

    put("c", Buffer.from("3"));
    await groups.commit();
    assert.deepEqual(keys(), ["a", "b", "c"]);
    assert.deepEqual(groups.stats(), { groups: 2, changes: 3, failures: 0, pending: 0 });
  });
});

// The hourly session prune runs on the broker's thread: it must never wait for a write lock
// another connection (the web thread's, the CLI's) holds on accounts.sqlite (review-17 F3).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import type { AccountStore } from "../lib/auth/account-store";
import { openSqliteAccountStore } from "../lib/auth/sqlite-account-store";
import type { Logger } from "../lib/log";
import { startSessionPruning } from "./account-upkeep";

test("a prune that finds accounts.sqlite's write lock held returns at once, logs it once, and prunes once the lock is freed", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "hearth-prune-"));
  const file = path.join(dir, "accounts.sqlite");
  const accounts = openSqliteAccountStore(file);
  // The web thread's connection, as web-main.ts opens its own: here it holds the write lock as a login's INSERT does.
  const web = new Database(file);
  web.pragma("busy_timeout = 5000");
  const lines: string[] = [];
  let onLine = () => {};
  const put = (level: string) => (message: string, fields?: object) => {
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    onLine();
  };
  const log: Logger = { debug: put("debug"), info: put("info"), warn: put("warn"), error: put("error") };
  let pruning: ReturnType<typeof startSessionPruning> | null = null;
  // The prune's timers are unref'd (they must not keep a stopping hub alive): this keeps the test's loop running.
  const keepAlive = setInterval(() => {}, 1_000);
  try {
    await accounts.createUser("ann", "correct horse battery", "viewer");
    web.prepare("INSERT INTO sessions (id, token_hash, username, created_at, expires_at) VALUES ('old', 'h-old', 'ann', 0, 1)").run();
    const sessions = () => web.prepare<[], { n: number }>("SELECT count(*) AS n FROM sessions").get()!.n;
    web.exec("BEGIN IMMEDIATE");

    // The real store, its prunes counted.
    let tries = 0;
    let onTry = () => {};
    const counted: AccountStore = { ...accounts, pruneSessions: (now?: number) => accounts.pruneSessions(now).finally(() => (tries++, onTry())) };
    const t0 = performance.now();
    pruning = startSessionPruning(counted, log, { retryMs: 50 });
    await pruning.pruning;
    const tookMs = performance.now() - t0;
    // With the store's busy_timeout (5000 ms) the broker's thread slept here for 5 s, every device with it.
    assert.ok(tookMs < 1_000, `the prune returned after ${tookMs.toFixed(0)} ms, not at once`);
    assert.match(lines.join("\n"), /warn .*"code":"accounts-prune-busy"/);
    // Its retries meet the same lock: still one line.
    await new Promise<void>((resolve) => {
      onTry = () => tries >= 3 && resolve();
      onTry();
    });
    assert.equal(lines.filter((l) => l.includes("accounts-prune-busy")).length, 1, "logged once while the lock stays held");
    assert.equal(sessions(), 1);

    web.exec("COMMIT");
    await new Promise<void>((resolve) => {
      onLine = () => lines.some((l) => l.includes("removed expired sessions")) && resolve();
      onLine();
    });
    assert.equal(sessions(), 0, "the expired session is pruned once the lock is free");
    assert.match(lines.join("\n"), /info accounts: session prune done after the lock was freed/);
  } finally {
    pruning?.stop();
    clearInterval(keepAlive);
    if (web.inTransaction) web.exec("ROLLBACK");
    web.close();
    await accounts.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

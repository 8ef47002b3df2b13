// The hub's two threads and their accounts through a PostgreSQL outage (review 5,
// findings 6 and 10), on the real path: the web thread's accounts (openWebHub) and the
// hub thread's (the session gate's, checking /mqtt upgrades) each remember sessions
// for an outage, and talk over a MessageChannel with HubApi, as in the hub.
//  6: what an admin changes on the web thread, the hub's memory forgets: a deleted,
//     reset or demoted user is not let back onto /mqtt with the old session meanwhile.
//  10: a logout while the database is away works, ends the session on both threads,
//     and its row is deleted once the database is back.
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { MessageChannel } from "node:worker_threads";
import { openPgAccountStore } from "../lib/auth/pg-account-store";
import { SESSION_COOKIE } from "../lib/auth/session-cookie";
import { openSqliteHistory } from "../lib/history/sqlite-store";
import type { HubApi, WebInfo } from "../lib/hub-api";
import type { Logger } from "../lib/log";
import { startTestPostgres } from "../lib/pg/test-postgres";
import { openWebHub } from "./open-web-hub";
import { createPrincipals } from "./principals";
import { createSessionGate } from "./session-gate";
import { serveApi } from "./web-thread";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const dir = mkdtempSync(path.join(tmpdir(), "hearth-session-outage-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A /mqtt upgrade from a program holding the session cookie. */
const upgrade = (token: string) => ({ headers: { cookie: `${SESSION_COOKIE}=${token}` }, socket: {} }) as unknown as IncomingMessage;

test("an admin's changes and a logout on the web thread hold on the hub thread through an outage", async () => {
  const db = await startTestPostgres();
  const historyFile = path.join(dir, "history.sqlite");
  openSqliteHistory(historyFile).close();
  const hubAccounts = openPgAccountStore({ url: db.url, log: quiet, backoff: { initialMs: 20, maxMs: 200 } });
  const principals = createPrincipals();
  const gate = createSessionGate({ accounts: hubAccounts, principals, log: quiet, sweepMs: 60_000 });
  const { port1, port2 } = new MessageChannel();
  serveApi(port1, { sessions: gate.api } as HubApi, quiet);
  const web = await openWebHub(
    { info: { startedAt: 1 } as WebInfo, files: { history: { kind: "sqlite", file: historyFile }, accounts: { kind: "postgres", url: db.url } }, port: port2 },
    quiet,
  );
  try {
    const accounts = web.hub.accounts;
    await accounts.createUser("root", "long-enough", "admin");
    await accounts.createUser("alice", "long-enough", "admin");
    await accounts.createUser("bob", "long-enough", "viewer");
    await accounts.createUser("carol", "long-enough", "operator");
    await accounts.createUser("erin", "long-enough", "viewer");
    const tokens = Object.fromEntries(
      await Promise.all(["root", "alice", "bob", "carol", "erin"].map(async (name) => [name, (await accounts.createSession(name, 3_600_000)).token])),
    ) as Record<string, string>;
    // Each browser opened /mqtt once: the hub thread remembers its session.
    for (const token of Object.values(tokens)) assert.deepEqual(await gate.checkUpgrade(upgrade(token)), { ok: true });
    assert.equal((await accounts.sessionByToken(tokens.erin))?.username, "erin", "erin's page was open");

    // The admin, on the web thread, while the database answers.
    await accounts.setRole("alice", "viewer");
    await accounts.deleteUser("bob");
    await accounts.setPassword("carol", "a-new-password");

    db.pause();
    const unavailable = { ok: false, status: 503, code: "accounts-unavailable" };
    assert.deepEqual(await gate.checkUpgrade(upgrade(tokens.alice)), unavailable, "not let back as an admin");
    assert.deepEqual(await gate.checkUpgrade(upgrade(tokens.bob)), unavailable, "a deleted user is not let back");
    assert.deepEqual(await gate.checkUpgrade(upgrade(tokens.carol)), unavailable, "the old password's session is not let back");
    assert.deepEqual(await gate.checkUpgrade(upgrade(tokens.root)), { ok: true }, "a session nobody changed stays up through the outage");

    // erin logs out meanwhile (app/login/actions.ts): the session ends on both threads.
    const ended = await accounts.endSession(tokens.erin);
    assert.equal(ended?.username, "erin");
    assert.equal(await accounts.sessionByToken(tokens.erin), null);
    // The hub thread knows the logout by its token too: the tab is sent to log in, not told to wait.
    assert.deepEqual(await gate.checkUpgrade(upgrade(tokens.erin)), { ok: false, status: 401, code: "no-session" }, "the hub ended it too");

    db.resume();
    assert.deepEqual(await gate.checkUpgrade(upgrade(tokens.erin)), { ok: false, status: 401, code: "no-session" });
    // The web thread's next session check deletes the row its logout could not.
    assert.equal((await accounts.sessionByToken(tokens.root))?.username, "root");
    const fresh = openPgAccountStore({ url: db.url, log: quiet });
    try {
      assert.equal(await fresh.sessionByToken(tokens.erin), null, "erin's session row is gone");
      assert.equal((await fresh.sessionByToken(tokens.alice))?.role, "viewer");
    } finally {
      await fresh.close();
    }
    assert.deepEqual(await gate.checkUpgrade(upgrade(tokens.bob)), { ok: false, status: 401, code: "no-session" });
  } finally {
    await web.close();
    port1.close();
    gate.stop();
    await hubAccounts.close();
    db.stop();
  }
});

// Review 6 #5: the web thread restarts on a crash (web-thread.ts), and what it kept of
// a logout went with it. The hub thread keeps it, and tells each new web thread.
test("a logout during an outage holds through web thread restarts, and closes the tab's /mqtt connection", async () => {
  const db = await startTestPostgres();
  const historyFile = path.join(dir, "history-restart.sqlite");
  openSqliteHistory(historyFile).close();
  const hubAccounts = openPgAccountStore({ url: db.url, log: quiet, backoff: { initialMs: 20, maxMs: 200 } });
  const principals = createPrincipals();
  const gate = createSessionGate({ accounts: hubAccounts, principals, log: quiet, sweepMs: 60_000 });
  const opened: Array<{ close(): Promise<void> | void }> = [];
  /** A web thread as broker/web-thread.ts starts one, on a fresh MessageChannel. */
  const startWebThread = async () => {
    const { port1, port2 } = new MessageChannel();
    serveApi(port1, { sessions: gate.api } as HubApi, quiet);
    const web = await openWebHub(
      { info: { startedAt: 1 } as WebInfo, files: { history: { kind: "sqlite", file: historyFile }, accounts: { kind: "postgres", url: db.url } }, port: port2 },
      quiet,
    );
    opened.push(web, { close: () => port1.close() });
    return web;
  };
  try {
    const first = await startWebThread();
    await first.hub.accounts.createUser("erin", "long-enough", "viewer");
    const { token, session } = await first.hub.accounts.createSession("erin", 3_600_000);
    assert.equal((await first.hub.accounts.sessionByToken(token))?.username, "erin", "erin's page was open");
    // erin's tab opened /mqtt with the session (the broker calls principals' onConnected).
    assert.deepEqual(await gate.checkUpgrade(upgrade(token)), { ok: true });
    const closed: string[] = [];
    principals.onConnected!({
      connectionId: 1,
      clientId: "erin-tab",
      protocolVersion: 5,
      username: undefined,
      remoteAddress: "127.0.0.1",
      req: undefined,
      principal: { kind: "user", username: "erin", role: "viewer", sessionId: session.id },
      close: (_code, reason) => void closed.push(reason ?? ""),
    });

    db.pause();
    await first.close(); // the web thread crashed; a new one starts
    const second = await startWebThread();
    // erin logs out on the new web thread, which has not seen her session.
    assert.equal(await second.hub.accounts.endSession(token), null);
    assert.deepEqual(closed, ["logged out"], "the tab's live connection is closed at once");
    assert.equal(await second.hub.accounts.sessionByToken(token).catch(() => null), null);

    await second.close(); // and crashes again before the database is back
    const third = await startWebThread();
    db.resume();
    assert.equal(await third.hub.accounts.sessionByToken(token), null, "the logout holds on the newest web thread");
    assert.deepEqual(await gate.checkUpgrade(upgrade(token)), { ok: false, status: 401, code: "no-session" });
    const fresh = openPgAccountStore({ url: db.url, log: quiet });
    try {
      assert.equal(await fresh.sessionByToken(token), null, "erin's session row is gone");
    } finally {
      await fresh.close();
    }
  } finally {
    for (const part of opened.reverse()) await part.close();
    gate.stop();
    await hubAccounts.close();
    db.stop();
  }
});

// An admin's change to a user takes that user's rights from their open /mqtt
// connections at once (closing-note-5, "noticed and left alone"): before, a demoted,
// deleted or password-reset user's live connection kept its old role until the 2 s
// sweep, and the sweep skips entirely while the accounts' database cannot be read.
// The web thread tells the hub thread what changed (HubApi sessions.forget, over a
// MessageChannel as in the hub); the hub thread closes the connections the change takes
// rights from, with MQTT 5 DISCONNECT 0x98 (administrative action), without asking any
// database: here the hub thread's own accounts are already closed when the change comes.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { MessageChannel } from "node:worker_threads";
import type { Principal } from "../lib/auth/roles";
import { openSqliteAccountStore } from "../lib/auth/sqlite-account-store";
import type { HubApi } from "../lib/hub-api";
import type { Fields, Logger } from "../lib/log";
import type { ClientInfo } from "./mqtt/hooks";
import { remote, tellingTheHub } from "./open-web-hub";
import { createPrincipals } from "./principals";
import { createSessionGate } from "./session-gate";
import { serveApi } from "./web-thread";

const dir = mkdtempSync(path.join(tmpdir(), "hearth-session-gate-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a demoted, deleted or password-reset user's open connections close at once, with no database to ask", async () => {
  const lines: { message: string; fields: Fields }[] = [];
  const line = (message: string, fields: Fields = {}) => void lines.push({ message, fields });
  const log: Logger = { debug: line, info: line, warn: line, error: line };
  const file = path.join(dir, "accounts.sqlite");
  const webAccounts = openSqliteAccountStore(file);
  const hubAccounts = openSqliteAccountStore(file);
  const principals = createPrincipals();
  // No sweep during the test: whatever closes, closes because of the change itself.
  const gate = createSessionGate({ accounts: hubAccounts, principals, log, sweepMs: 3_600_000 });
  const { port1, port2 } = new MessageChannel();
  serveApi(port1, { sessions: gate.api } as HubApi, log);
  const api = remote(port2);
  const accounts = tellingTheHub(webAccounts, api.groups, log);
  try {
    for (const [name, role] of [["root", "admin"], ["alice", "operator"], ["bob", "viewer"], ["carol", "operator"], ["dave", "viewer"]] as const) {
      await accounts.createUser(name, "long-enough", role);
    }
    /** One open /mqtt connection per session, as the broker reports it to the principals hook. */
    const closed = new Map<string, number | undefined>();
    const open = async (username: string, label = username) => {
      const { session } = await accounts.createSession(username, 3_600_000);
      const principal: Principal = { kind: "user", username: session.username, role: session.role, sessionId: session.id };
      principals.onConnected?.({ clientId: label, principal, close: (reasonCode) => void closed.set(label, reasonCode) } as ClientInfo<Principal>);
      return session.id;
    };
    await open("root");
    await open("Alice", "alice");
    await open("bob");
    await open("carol", "carol's old tab");
    const kept = await open("carol", "carol's own tab");
    await open("dave");

    // The hub thread cannot read its accounts from here on (its database is "away").
    await hubAccounts.close();

    await accounts.setRole("alice", "viewer");
    assert.deepEqual([...closed], [["alice", 0x98]], "the demoted operator's connection is closed as the change returns");
    await accounts.deleteUser("bob");
    await accounts.setPassword("carol", "a-new-password", { keepSession: kept });
    await accounts.setRole("dave", "viewer"); // unchanged: nothing to take away
    assert.deepEqual(
      [...closed],
      [
        ["alice", 0x98],
        ["bob", 0x98],
        ["carol's old tab", 0x98],
      ],
    );
    const codes = lines.filter((l) => l.message === "closing a browser connection").map((l) => [l.fields.client, l.fields.code]);
    assert.deepEqual(codes, [
      ["alice", "role-changed"],
      ["bob", "session-ended"],
      ["carol's old tab", "session-ended"],
    ]);
  } finally {
    api.close();
    port1.close();
    gate.stop();
    await webAccounts.close();
  }
});

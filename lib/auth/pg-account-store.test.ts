// The account contract on a real PostgreSQL 15 (lib/pg/test-postgres.ts), a schema per test.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import pg from "pg";
import type { Logger } from "../log";
import { freshSchema, sharedPostgresUrl, startTestPostgres } from "../pg/test-postgres";
import { accountStoreContract } from "./account-store-contract";
import { sha256 } from "./account-store";
import { openPgAccountStore } from "./pg-account-store";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
let url = "";
before(async () => {
  url = await sharedPostgresUrl();
});

/** Every row of the schema's account tables, as text. */
async function dump(schema: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = ["account_users", "account_sessions", "account_devices"];
    const parts = await Promise.all(tables.map((t) => client.query(`SELECT t::text AS row FROM ${schema}.${t} t`)));
    return parts.flatMap((p) => p.rows.map((r: { row: string }) => r.row)).join("\n");
  } finally {
    await client.end();
  }
}

/** The session for `token` as another store reads it from the database, memory aside. */
async function sessionElsewhere(serverUrl: string, token: string) {
  const another = openPgAccountStore({ url: serverUrl, log: quiet });
  try {
    return await another.sessionByToken(token);
  } finally {
    await another.close();
  }
}

accountStoreContract("PostgreSQL", async () => {
  const schema = await freshSchema(url);
  return { open: () => openPgAccountStore({ url, schema, log: quiet }), dump: () => dump(schema) };
});

describe("accounts while PostgreSQL is away", () => {
  it("keeps answering sessions seen live before it went, refuses the rest with database-unreachable, and recovers", async () => {
    const server = await startTestPostgres();
    const store = openPgAccountStore({ url: server.url, log: quiet, backoff: { initialMs: 20, maxMs: 200 } });
    try {
      await store.createUser("alice", "alice-password", "viewer");
      const seen = await store.createSession("alice", 60_000);
      const unseen = await store.createSession("alice", 60_000);
      assert.equal((await store.sessionByToken(seen.token))?.id, seen.session.id);

      server.pause();
      assert.equal((await store.sessionByToken(seen.token))?.username, "alice", "the dashboard stays signed in");
      const unreachable = (error: { code?: string }) => error.code === "database-unreachable";
      await assert.rejects(store.sessionByToken(unseen.token), unreachable);
      await assert.rejects(store.verifyDevice("kitchen", "a-password"), unreachable);
      await assert.rejects(store.userCount(), unreachable);

      // Logging out works meanwhile, and the session does not come back with the database (review 5, finding 10).
      assert.equal((await store.endSession(seen.token))?.id, seen.session.id);
      assert.equal(await store.sessionByToken(seen.token), null);

      server.resume();
      assert.equal((await store.sessionByToken(unseen.token))?.id, unseen.session.id);
      assert.equal(await store.sessionByToken(seen.token), null);
      assert.equal(await store.liveSessionRole(seen.session.id), null);
      assert.equal(await store.userCount(), 1, "nothing stored was lost");
      assert.equal(await sessionElsewhere(server.url, seen.token), null, "its row was deleted once the database was back");
    } finally {
      await store.close();
      server.stop();
    }
  });

  // Review 6 #5: the hub thread's store hears of a web thread's logout by the token's hash,
  // keeps it for the next web thread, and deletes the row itself once the database answers.
  it("ends a session another thread logged out, by its token alone, until its row is deleted here", async () => {
    const server = await startTestPostgres();
    const store = openPgAccountStore({ url: server.url, log: quiet, backoff: { initialMs: 20, maxMs: 200 } });
    try {
      await store.createUser("alice", "alice-password", "viewer");
      const seen = await store.createSession("alice", 60_000);
      assert.equal((await store.sessionByToken(seen.token))?.id, seen.session.id);

      server.pause();
      const hash = sha256(seen.token);
      assert.equal(store.endedElsewhere(hash, null), seen.session.id, "the id, to close the session's connections, from the token seen before");
      assert.equal(await store.sessionByToken(seen.token), null);
      assert.deepEqual(store.undeletedSessions(), [{ tokenHash: hash, sessionId: seen.session.id }], "kept for a new web thread");

      server.resume();
      await store.pruneSessions(); // the hub's periodic prune, with nobody checking a session
      assert.deepEqual(store.undeletedSessions(), []);
      assert.equal(await sessionElsewhere(server.url, seen.token), null, "its row was deleted once the database was back");
    } finally {
      await store.close();
      server.stop();
    }
  });
});

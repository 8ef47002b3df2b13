import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { AccountError, openAccountStore, type AccountStore, type TopicsProblem } from "./account-store";

let dir: string;
let store: AccountStore;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "hearth-accounts-"));
  store = openAccountStore(path.join(dir, "accounts.sqlite"));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function rejectsWith(code: string) {
  return (error: unknown) => {
    assert.ok(error instanceof AccountError);
    assert.equal(error.code, code);
    return true;
  };
}

describe("users", () => {
  it("creates a user whose password verifies, case-insensitively by name, and is never stored in plain text", async () => {
    assert.equal(store.userCount(), 0);
    await store.createUser("Alice", "alice-password", "operator");
    assert.equal(store.userCount(), 1);
    assert.deepEqual((await store.verifyUser("alice", "alice-password"))?.role, "operator");
    assert.equal(await store.verifyUser("alice", "wrong-password"), null);
    assert.equal(await store.verifyUser("bob", "alice-password"), null);
    store.close();
    const bytes = readFileSync(path.join(dir, "accounts.sqlite"));
    assert.equal(bytes.includes("alice-password"), false);
    store = openAccountStore(path.join(dir, "accounts.sqlite"));
  });

  const bad: [string, () => Promise<unknown>, string][] = [
    ["a short password", () => store.createUser("bob", "short", "viewer"), "password-too-short"],
    ["a name with a space", () => store.createUser("bob smith", "long-enough", "viewer"), "name-invalid"],
    ["an unknown role", () => store.createUser("bob", "long-enough", "root" as never), "role-invalid"],
  ];
  for (const [label, create, code] of bad) {
    it(`refuses ${label} with ${code}`, async () => assert.rejects(create, rejectsWith(code)));
  }

  it("refuses a taken name, in any case", async () => {
    await store.createUser("bob", "long-enough", "viewer");
    await assert.rejects(store.createUser("BOB", "long-enough", "viewer"), rejectsWith("name-taken"));
  });

  it("creates the first admin only while there are no users, even when two race", async () => {
    const results = await Promise.allSettled([
      store.createUser("first", "long-enough", "admin", { firstOnly: true }),
      store.createUser("second", "long-enough", "admin", { firstOnly: true }),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
    const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    assert.equal(rejected.reason.code, "already-set-up");
    assert.equal(store.userCount(), 1);
  });

  it("keeps at least one admin", async () => {
    await store.createUser("root", "long-enough", "admin");
    assert.throws(() => store.deleteUser("root"), rejectsWith("last-admin"));
    assert.throws(() => store.setRole("root", "viewer"), rejectsWith("last-admin"));
    await store.createUser("second", "long-enough", "admin");
    store.setRole("root", "viewer");
    assert.deepEqual(store.listUsers().map((u) => [u.username, u.role]), [["root", "viewer"], ["second", "admin"]]);
  });
});

describe("sessions", () => {
  it("finds a session by its token until it expires or ends, and stores only the token's hash", async () => {
    await store.createUser("alice", "alice-password", "viewer");
    const { token, session } = store.createSession("alice", 1000, 10_000);
    assert.deepEqual(store.sessionByToken(token, 10_500), session);
    assert.equal(store.liveSessionRole(session.id, 10_500), "viewer");
    assert.equal(store.sessionByToken(token, 11_000), null, "expired");
    assert.equal(store.liveSessionRole(session.id, 11_000), null);
    assert.equal(store.sessionByToken("not-a-token", 10_500), null);
    assert.equal(store.sessionByToken("", 10_500), null);

    const second = store.createSession("alice", 60_000);
    assert.equal(store.endSession(second.token)?.id, second.session.id);
    assert.equal(store.sessionByToken(second.token), null);
    store.close();
    assert.equal(readFileSync(path.join(dir, "accounts.sqlite")).includes(second.token), false);
    store = openAccountStore(path.join(dir, "accounts.sqlite"));
  });

  it("a session carries its user's current role, and ends with its user", async () => {
    await store.createUser("root", "long-enough", "admin");
    await store.createUser("alice", "alice-password", "viewer");
    const { token, session } = store.createSession("alice", 60_000);
    store.setRole("alice", "operator");
    assert.equal(store.sessionByToken(token)?.role, "operator");
    assert.equal(store.liveSessionRole(session.id), "operator");
    store.deleteUser("alice");
    assert.equal(store.sessionByToken(token), null);
    assert.equal(store.liveSessionRole(session.id), null);
  });

  it("a new password works at once, the old one no longer, and ends every session but the one kept", async () => {
    await store.createUser("alice", "alice-password", "viewer");
    const kept = store.createSession("alice", 60_000);
    const other = store.createSession("alice", 60_000);
    await store.setPassword("alice", "a-new-password", { keepSession: kept.session.id });
    assert.equal(await store.verifyUser("alice", "alice-password"), null);
    assert.equal((await store.verifyUser("alice", "a-new-password"))?.username, "alice");
    assert.equal(store.sessionByToken(kept.token)?.id, kept.session.id);
    assert.equal(store.sessionByToken(other.token), null);
    await store.setPassword("alice", "a-third-password");
    assert.equal(store.sessionByToken(kept.token), null, "an admin's reset signs the person out everywhere");
    await assert.rejects(store.setPassword("alice", "short"), rejectsWith("password-too-short"));
    await assert.rejects(store.setPassword("nobody", "long-enough"), rejectsWith("not-found"));
  });

  it("prunes expired sessions", async () => {
    await store.createUser("alice", "alice-password", "viewer");
    store.createSession("alice", 1000, 0);
    store.createSession("alice", 5000, 0);
    assert.equal(store.pruneSessions(2000), 1);
  });
});

describe("device accounts", () => {
  it("creates a device with its topics and a generated password that verifies once given", async () => {
    const { device, password } = await store.createDevice("kitchen-sensor", ["home/kitchen/#"]);
    assert.deepEqual(device.topics, ["home/kitchen/#"]);
    assert.match(password, /^[A-Za-z0-9_-]{24}$/);
    assert.deepEqual((await store.verifyDevice("kitchen-sensor", password))?.topics, ["home/kitchen/#"]);
    assert.equal(await store.verifyDevice("kitchen-sensor", "guess"), null);
    store.deleteDevice("kitchen-sensor");
    assert.equal(await store.verifyDevice("kitchen-sensor", password), null);
    assert.throws(() => store.deleteDevice("kitchen-sensor"), rejectsWith("not-found"));
  });

  // `topics` says which topic and why, for the settings form to word in its language.
  const bad: [string, string[], TopicsProblem][] = [
    ["no topics", [], { problem: "none" }],
    ["an invalid filter", ["home/#/x"], { problem: "invalid", topic: "home/#/x", check: { code: "hash-not-last", reason: "# must be the whole last level of a filter" } }],
    ["everything", ["#"], { problem: "too-broad", topic: "#" }],
    ["$SYS", ["$SYS/#"], { problem: "too-broad", topic: "$SYS/#" }],
  ];
  for (const [label, topics, problem] of bad) {
    it(`refuses ${label}`, async () =>
      assert.rejects(store.createDevice("d", topics), (error: unknown) => {
        rejectsWith("topic-invalid")(error);
        assert.deepEqual((error as AccountError).topics, problem);
        return true;
      }));
  }
});

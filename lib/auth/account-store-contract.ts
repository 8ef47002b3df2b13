// The contract every AccountStore passes (issue 14: one suite per store, run against
// SQLite and PostgreSQL). `storage()` makes a new, empty place to keep accounts and
// says how to open a store on it, and how to read back everything it holds as text
// (to prove no password or token is stored as given); opening it twice is a restart.
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { AccountError, type AccountStore, type TopicsProblem } from "./account-store";

export type AccountStorage = { open(): AccountStore | Promise<AccountStore>; dump(): Promise<string> };

function rejectsWith(code: string) {
  return (error: unknown) => {
    assert.ok(error instanceof AccountError, `an AccountError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  };
}

export function accountStoreContract(name: string, storage: () => Promise<AccountStorage>): void {
  describe(`AccountStore contract: ${name}`, () => {
    const open: AccountStore[] = [];
    afterEach(async () => {
      while (open.length > 0) await open.pop()!.close();
    });
    const fresh = async () => {
      const where = await storage();
      const store = await where.open();
      open.push(store);
      return { store, where };
    };
    const restart = async (store: AccountStore, where: AccountStorage) => {
      open.splice(open.indexOf(store), 1);
      await store.close();
      const again = await where.open();
      open.push(again);
      return again;
    };

    describe("users", () => {
      it("creates a user whose password verifies, case-insensitively by name, and is never stored in plain text", async () => {
        const { store, where } = await fresh();
        assert.equal(await store.userCount(), 0);
        await store.createUser("Alice", "alice-password", "operator");
        assert.equal(await store.userCount(), 1);
        assert.deepEqual((await store.verifyUser("alice", "alice-password"))?.role, "operator");
        assert.equal((await store.verifyUser("ALICE", "alice-password"))?.username, "Alice");
        assert.equal(await store.verifyUser("alice", "wrong-password"), null);
        assert.equal(await store.verifyUser("bob", "alice-password"), null);
        const again = await restart(store, where);
        assert.deepEqual((await again.listUsers()).map((u) => [u.username, u.role]), [["Alice", "operator"]]);
        const stored = await where.dump();
        assert.ok(stored.includes("Alice"), "the dump holds what was stored");
        assert.equal(stored.includes("alice-password"), false);
      });

      const bad: [string, (store: AccountStore) => Promise<unknown>, string][] = [
        ["a short password", (s) => s.createUser("bob", "short", "viewer"), "password-too-short"],
        ["a name with a space", (s) => s.createUser("bob smith", "long-enough", "viewer"), "name-invalid"],
        ["an unknown role", (s) => s.createUser("bob", "long-enough", "root" as never), "role-invalid"],
      ];
      for (const [label, create, code] of bad) {
        it(`refuses ${label} with ${code}`, async () => {
          const { store } = await fresh();
          await assert.rejects(create(store), rejectsWith(code));
        });
      }

      it("refuses a taken name, in any case, even when two race", async () => {
        const { store } = await fresh();
        await store.createUser("bob", "long-enough", "viewer");
        await assert.rejects(store.createUser("BOB", "long-enough", "viewer"), rejectsWith("name-taken"));
        const raced = await Promise.allSettled([store.createUser("carol", "long-enough", "viewer"), store.createUser("Carol", "long-enough", "viewer")]);
        assert.deepEqual(raced.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
        assert.equal((raced.find((r) => r.status === "rejected") as PromiseRejectedResult).reason.code, "name-taken");
      });

      it("creates the first admin only while there are no users, even when two race", async () => {
        const { store } = await fresh();
        const results = await Promise.allSettled([
          store.createUser("first", "long-enough", "admin", { firstOnly: true }),
          store.createUser("second", "long-enough", "admin", { firstOnly: true }),
        ]);
        assert.deepEqual(results.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
        const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
        assert.equal(rejected.reason.code, "already-set-up");
        assert.equal(await store.userCount(), 1);
      });

      it("keeps at least one admin, and lists users by name", async () => {
        const { store } = await fresh();
        await store.createUser("root", "long-enough", "admin");
        await assert.rejects(store.deleteUser("root"), rejectsWith("last-admin"));
        await assert.rejects(store.setRole("root", "viewer"), rejectsWith("last-admin"));
        await assert.rejects(store.setRole("nobody", "viewer"), rejectsWith("not-found"));
        await store.createUser("Second", "long-enough", "admin");
        await store.setRole("root", "viewer");
        assert.deepEqual((await store.listUsers()).map((u) => [u.username, u.role]), [["root", "viewer"], ["Second", "admin"]]);
        await store.deleteUser("ROOT");
        assert.deepEqual((await store.listUsers()).map((u) => u.username), ["Second"]);
      });

      // Review 5, finding 11: the count and the change in one step, else both see two admins.
      const races: [string, (store: AccountStore) => Promise<unknown>[]][] = [
        ["two demotions", (s) => [s.setRole("root", "viewer"), s.setRole("second", "operator")]],
        ["two deletions", (s) => [s.deleteUser("root"), s.deleteUser("second")]],
        ["a demotion and a deletion", (s) => [s.setRole("root", "viewer"), s.deleteUser("second")]],
      ];
      for (const [label, race] of races) {
        it(`keeps one admin when ${label} of the last two race`, async () => {
          const { store } = await fresh();
          await store.createUser("root", "long-enough", "admin");
          await store.createUser("second", "long-enough", "admin");
          // Connections open for both (PostgreSQL's pool), so neither waits on a connect and they interleave.
          await Promise.all([store.listUsers(), store.listUsers(), store.listUsers()]);
          const results = await Promise.allSettled(race(store));
          assert.deepEqual(results.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
          assert.equal((results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason.code, "last-admin");
          assert.equal((await store.listUsers()).filter((u) => u.role === "admin").length, 1);
        });
      }
    });

    describe("sessions", () => {
      it("finds a session by its token until it expires or ends, and stores only the token's hash", async () => {
        const { store, where } = await fresh();
        await store.createUser("alice", "alice-password", "viewer");
        const { token, session } = await store.createSession("ALICE", 1000, 10_000);
        assert.equal(session.username, "alice");
        assert.deepEqual(await store.sessionByToken(token, 10_500), session);
        assert.equal(await store.liveSessionRole(session.id, 10_500), "viewer");
        assert.equal(await store.sessionByToken(token, 11_000), null, "expired");
        assert.equal(await store.liveSessionRole(session.id, 11_000), null);
        assert.equal(await store.sessionByToken("not-a-token", 10_500), null);
        assert.equal(await store.sessionByToken("", 10_500), null);

        const second = await store.createSession("alice", 60_000);
        const third = await store.createSession("alice", 60_000);
        assert.equal((await store.endSession(second.token))?.id, second.session.id);
        assert.equal(await store.sessionByToken(second.token), null);
        const again = await restart(store, where);
        assert.equal((await again.sessionByToken(third.token))?.id, third.session.id, "a session outlives a restart");
        assert.equal((await where.dump()).includes(third.token), false);
      });

      it("a session carries its user's current role, and ends with its user", async () => {
        const { store } = await fresh();
        await store.createUser("root", "long-enough", "admin");
        await store.createUser("alice", "alice-password", "viewer");
        const { token, session } = await store.createSession("alice", 60_000);
        await store.setRole("alice", "operator");
        assert.equal((await store.sessionByToken(token))?.role, "operator");
        assert.equal(await store.liveSessionRole(session.id), "operator");
        await store.deleteUser("alice");
        assert.equal(await store.sessionByToken(token), null);
        assert.equal(await store.liveSessionRole(session.id), null);
        await assert.rejects(store.createSession("alice", 60_000), rejectsWith("not-found"));
      });

      it("a new password works at once, the old one no longer, and ends every session but the one kept", async () => {
        const { store } = await fresh();
        await store.createUser("alice", "alice-password", "viewer");
        const kept = await store.createSession("alice", 60_000);
        const other = await store.createSession("alice", 60_000);
        await store.setPassword("alice", "a-new-password", { keepSession: kept.session.id });
        assert.equal(await store.verifyUser("alice", "alice-password"), null);
        assert.equal((await store.verifyUser("alice", "a-new-password"))?.username, "alice");
        assert.equal((await store.sessionByToken(kept.token))?.id, kept.session.id);
        assert.equal(await store.sessionByToken(other.token), null);
        await store.setPassword("alice", "a-third-password");
        assert.equal(await store.sessionByToken(kept.token), null, "an admin's reset signs the person out everywhere");
        await assert.rejects(store.setPassword("alice", "short"), rejectsWith("password-too-short"));
        await assert.rejects(store.setPassword("nobody", "long-enough"), rejectsWith("not-found"));
      });

      it("prunes expired sessions", async () => {
        const { store } = await fresh();
        await store.createUser("alice", "alice-password", "viewer");
        await store.createSession("alice", 1000, 0);
        const live = await store.createSession("alice", 5000, 0);
        assert.equal(await store.pruneSessions(2000), 1);
        assert.equal((await store.sessionByToken(live.token, 2000))?.id, live.session.id);
      });
    });

    describe("device accounts", () => {
      it("creates a device with its topics and a generated password that verifies once given", async () => {
        const { store, where } = await fresh();
        const { device, password } = await store.createDevice("kitchen-sensor", ["home/kitchen/#"]);
        assert.deepEqual(device.topics, ["home/kitchen/#"]);
        assert.match(password, /^[A-Za-z0-9_-]{24}$/);
        await assert.rejects(store.createDevice("Kitchen-Sensor", ["home/kitchen/#"]), rejectsWith("name-taken"));
        const again = await restart(store, where);
        assert.deepEqual((await again.verifyDevice("Kitchen-Sensor", password))?.topics, ["home/kitchen/#"]);
        assert.equal(await again.verifyDevice("kitchen-sensor", "guess"), null);
        assert.deepEqual((await again.listDevices()).map((d) => [d.name, d.topics]), [["kitchen-sensor", ["home/kitchen/#"]]]);
        assert.equal((await where.dump()).includes(password), false);
        await again.deleteDevice("kitchen-sensor");
        assert.equal(await again.verifyDevice("kitchen-sensor", password), null);
        await assert.rejects(again.deleteDevice("kitchen-sensor"), rejectsWith("not-found"));
      });

      // `topics` says which topic and why, for the settings form to word in its language.
      const bad: [string, string[], TopicsProblem][] = [
        ["no topics", [], { problem: "none" }],
        ["an invalid filter", ["home/#/x"], { problem: "invalid", topic: "home/#/x", check: { code: "hash-not-last", reason: "# must be the whole last level of a filter" } }],
        ["everything", ["#"], { problem: "too-broad", topic: "#" }],
        ["$SYS", ["$SYS/#"], { problem: "too-broad", topic: "$SYS/#" }],
      ];
      for (const [label, topics, problem] of bad) {
        it(`refuses ${label}`, async () => {
          const { store } = await fresh();
          await assert.rejects(store.createDevice("d", topics), (error: unknown) => {
            rejectsWith("topic-invalid")(error);
            assert.deepEqual((error as AccountError).topics, problem);
            return true;
          });
        });
      }
    });
  });
}

import assert from "node:assert/strict";
import { test } from "node:test";
import { createLifecycle } from "./lifecycle";

test("parts close newest first, each once, even when one fails to close", async () => {
  const closed: string[] = [];
  const errors: string[] = [];
  const life = createLifecycle((name, error) => errors.push(`${name}: ${error.message}`));
  life.add("store", "db", (db) => closed.push(db));
  life.add("broker", null, () => {
    throw new Error("stuck");
  });
  life.add("server", "http", async (s) => closed.push(s));
  await Promise.all([life.close(), life.close()]);
  assert.deepEqual(closed, ["http", "db"]);
  assert.deepEqual(errors, ["broker: stuck"]);
});

test("a start-up that fails half way closes what it opened and nothing else", async () => {
  const closed: string[] = [];
  const life = createLifecycle(() => {});
  const start = async () => {
    life.add("history", 1, () => closed.push("history"));
    life.add("broker", 2, () => closed.push("broker"));
    throw new Error("port taken");
  };
  await assert.rejects(start().catch(async (error) => {
    await life.close();
    throw error;
  }), /port taken/);
  assert.deepEqual(closed, ["broker", "history"]);
  assert.throws(() => life.add("late", 3, () => {}), /closing/);
});

test("an aborted start-up stops at its next part, which is closed with the ones before it (review-16 F14)", async () => {
  const closed: string[] = [];
  const stop = new AbortController();
  const life = createLifecycle(() => {}, stop.signal);
  life.add("history", 1, () => closed.push("history"));
  stop.abort(new Error("start-up stopped by SIGTERM"));
  assert.throws(() => life.add("web thread", 2, () => closed.push("web thread")), /stopped by SIGTERM/);
  await life.close();
  assert.deepEqual(closed, ["web thread", "history"]);
});

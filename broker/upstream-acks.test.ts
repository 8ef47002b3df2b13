// The PUBACKs owed upstream (upstream-acks.ts, review-5 finding 1): sent once stored, in
// the order the PUBLISH packets came [MQTT-4.6.0-2], never for a message not stored.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createOrderedAcks } from "./upstream-acks";

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => {});
  return { promise, resolve, reject };
}
const settle = () => new Promise((resolve) => setImmediate(resolve));

test("a message stored before the one ahead of it waits for it; then both go out, in order", async () => {
  const sent: number[] = [];
  const acks = createOrderedAcks((id) => sent.push(id));
  const first = deferred();
  const second = deferred();
  acks.add(1, first.promise);
  acks.add(2, second.promise);
  assert.equal(acks.waiting(), true);
  second.resolve();
  await settle();
  assert.deepEqual(sent, [], "2 may not overtake 1");
  first.resolve();
  await settle();
  assert.deepEqual(sent, [1, 2]);
  assert.equal(acks.waiting(), false);
});

test("a message whose effects failed is never acknowledged, and does not hold up the ones behind it", async () => {
  const sent: number[] = [];
  const acks = createOrderedAcks((id) => sent.push(id));
  const failing = deferred();
  acks.add(7, failing.promise);
  acks.add(8, Promise.resolve());
  failing.reject(new Error("database away"));
  await settle();
  assert.deepEqual(sent, [8]);
});

test("a message whose effects failed is reported, so the bus can have the broker send it again (review-6 #1)", async () => {
  let unstored = 0;
  const acks = createOrderedAcks(() => {}, () => unstored++);
  acks.add(1, Promise.reject(new Error("history-backlog-full")));
  acks.add(2, Promise.resolve());
  await settle();
  assert.equal(unstored, 1);
});

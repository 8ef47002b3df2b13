// The PUBACKs owed upstream (upstream-acks.ts, review-5 finding 1): sent once stored, in
// the order the PUBLISH packets came [MQTT-4.6.0-2], never for a message not stored.
import assert from "node:assert/strict";
import { mock, test } from "node:test";
import { createBusHandlers } from "./bus-handlers";
import { quietLog } from "./mqtt/test-server";
import { ReadingNotStored } from "./reading-not-stored";
import { createOrderedAcks, createRedelivery, REDELIVER_MAX_MS } from "./upstream-acks";

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

/**
 * One QoS 1 message on the upstream bus as the bus wires it (upstream-bus.ts owedOn): each
 * connection gets its own acks, a failure schedules a forced reconnect, and on the new
 * connection the broker sends the message again, whose effect `effect()` makes anew.
 */
async function deliverUntilSettled(effect: () => Promise<void>, connections: number) {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const redelivery = createRedelivery();
    let reconnects = 0;
    let pubacks = 0;
    const connect = () => {
      const acks = createOrderedAcks(
        () => {
          pubacks++;
          redelivery.stored();
        },
        () =>
          redelivery.unstored(() => {
            reconnects++;
            connect();
          }),
      );
      acks.add(1, effect());
    };
    connect();
    for (let i = 0; i < connections; i++) {
      await settle();
      mock.timers.tick(REDELIVER_MAX_MS);
    }
    await settle();
    redelivery.stop();
    return { reconnects, pubacks };
  } finally {
    mock.timers.reset();
  }
}

const failing = (error: Error) => () => {
  const effect = Promise.reject(error);
  effect.catch(() => {});
  return effect;
};

test("a reading the database refused for its own data is acknowledged once, with no reconnect: no redelivery could store it (review-7 F3)", async () => {
  const outcome = await deliverUntilSettled(failing(new ReadingNotStored("refused")), 8);
  assert.deepEqual(outcome, { reconnects: 0, pubacks: 1 });
});

test("a reading that could not be stored for now (backlog full) is left unacknowledged and the bus reconnects for it, until it is stored", async () => {
  let attempts = 0;
  const outcome = await deliverUntilSettled(() => (++attempts < 4 ? failing(new ReadingNotStored("dropped"))() : Promise.resolve()), 8);
  assert.deepEqual(outcome, { reconnects: 3, pubacks: 1 });
});

test("a message with two effects, one refused for good and one failed for now, is not acknowledged: the failure a redelivery may mend wins", async () => {
  const handlers = createBusHandlers(quietLog(), () => 0);
  handlers.add("home/#", failing(new ReadingNotStored("refused")));
  handlers.add("home/#", failing(new Error("device registry store away")));
  let unstored = 0;
  const sent: number[] = [];
  const acks = createOrderedAcks((id) => sent.push(id), () => unstored++);
  acks.add(5, handlers.dispatch({ topic: "home/cellar/temperature", payload: Buffer.from("7"), retain: false, qos: 1 })!);
  await settle();
  assert.deepEqual({ sent, unstored }, { sent: [], unstored: 1 });
});

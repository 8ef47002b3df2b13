import assert from "node:assert/strict";
import { test } from "node:test";
import { createRestarts, FIRST_RESTART_MS, MAX_RESTART_MS } from "./web-restarts";

test("a web thread that crashes again at once waits twice as long each time, up to the cap", () => {
  const restarts = createRestarts();
  let now = 1_000;
  const delays: number[] = [];
  for (let i = 0; i < 9; i++) {
    const delay = restarts.next(now);
    delays.push(delay);
    now += delay + 100; // crashed 100 ms after it started
  }
  assert.deepEqual(delays, [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  assert.equal(delays[0], FIRST_RESTART_MS);
  assert.equal(delays.at(-1), MAX_RESTART_MS);
});

test("a web thread that ran for a minute before crashing restarts after the first delay again", () => {
  const restarts = createRestarts();
  restarts.next(0);
  const second = restarts.next(1_000);
  assert.equal(second, 1_000);
  assert.equal(restarts.next(1_000 + second + 60_000), FIRST_RESTART_MS);
});

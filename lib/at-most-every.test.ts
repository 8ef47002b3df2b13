import { test, mock } from "node:test";
import assert from "node:assert/strict";
import { atMostEvery } from "./at-most-every";

test("atMostEvery runs the first call at once and folds the rest of its interval into one call at the end", () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    let clock = 0;
    const tick = (ms: number) => {
      clock += ms;
      mock.timers.tick(ms);
    };
    const calls: number[] = [];
    const limited = atMostEvery(() => calls.push(clock), 1000, () => clock);
    limited.call(); // a quiet spell: at once
    assert.deepEqual(calls, [0]);
    tick(100);
    limited.call();
    tick(100);
    limited.call(); // two calls within the interval: one, at its end
    assert.deepEqual(calls, [0]);
    tick(800);
    assert.deepEqual(calls, [0, 1000]);
    tick(5000);
    limited.call(); // quiet again: at once
    assert.deepEqual(calls, [0, 1000, 6000]);
    tick(10);
    limited.call();
    limited.cancel(); // a view gone away is not called back
    tick(5000);
    assert.deepEqual(calls, [0, 1000, 6000]);
  } finally {
    mock.timers.reset();
  }
});

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

test("with a phase, views woken together fold their later calls at different moments of the interval", () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    let clock = 0;
    const tick = (ms: number) => {
      for (let i = 0; i < ms; i += 10) {
        clock += 10;
        mock.timers.tick(10);
      }
    };
    const calls: [string, number][] = [];
    const views = [0, 0.25, 0.5].map((p, i) => atMostEvery(() => calls.push([`v${i}`, clock]), 1000, () => clock, { phase: () => p }));
    for (const v of views) v.call(); // the page's first readings: all at once
    assert.deepEqual(calls, [["v0", 0], ["v1", 0], ["v2", 0]]);
    calls.length = 0;
    // A reading every 100 ms for each: each view redraws once a second, at its own moment.
    for (let t = 0; t < 2500; t += 100) {
      tick(100);
      for (const v of views) v.call();
    }
    assert.deepEqual(
      calls.filter(([, at]) => at <= 2000),
      [["v2", 500], ["v1", 750], ["v0", 1000], ["v2", 1500], ["v1", 1750], ["v0", 2000]],
    );
    for (const v of views) v.cancel();
  } finally {
    mock.timers.reset();
  }
});

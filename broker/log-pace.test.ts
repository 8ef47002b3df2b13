import { test, mock } from "node:test";
import assert from "node:assert/strict";
import { createLogPace } from "./log-pace";

test("a paced log line: the first failure at once, then one line per window with the count since the last, and a rare failure always gets its line (review-7 F8)", () => {
  mock.timers.enable({ apis: ["setTimeout"] });
  try {
    const tick = (ms: number) => mock.timers.tick(ms);
    const lines: string[] = [];
    const pace = createLogPace(10_000);
    const fail = (what: string, count = 1) => pace(count, (since) => lines.push(`${since} ${what}`));
    fail("a"); // the first: at once
    assert.deepEqual(lines, ["1 a"]);
    for (let i = 0; i < 999; i++) fail("b"); // a burst: held for the window's end
    fail("c", 1000);
    assert.deepEqual(lines, ["1 a"]);
    tick(10_000); // one line for the burst, with the newest details
    assert.deepEqual(lines, ["1 a", "1999 c"]);
    tick(10_000); // a quiet window: no line
    assert.deepEqual(lines, ["1 a", "1999 c"]);
    tick(3_600_000);
    fail("d"); // an hour later, a single failure: its own line, at once
    tick(3_600_000);
    fail("e");
    assert.deepEqual(lines, ["1 a", "1999 c", "1 d", "1 e"]);
  } finally {
    mock.timers.reset();
  }
});

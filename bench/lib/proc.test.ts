import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSchedstat, parseStat, parseStatusKb } from "./proc";

test("parseStat reads utime and stime after a command name holding spaces and parentheses", () => {
  // Fields 14 and 15 (utime, stime) are 1234 and 56 here.
  const line = "4242 (node (tsx) x) S 1 4242 4242 0 -1 4194560 9000 0 0 0 1234 56 0 0 20 0 11 0 100 1000000 5000";
  assert.deepEqual(parseStat(line), { utime: 1234, stime: 56 });
});

test("parseStatusKb turns a kB line of /proc/<pid>/status into MB", () => {
  const status = "Name:\tnode\nVmHWM:\t  250000 kB\nVmRSS:\t  200000 kB\nThreads:\t14\n";
  assert.equal(parseStatusKb(status, "VmRSS"), 204.8);
  assert.equal(parseStatusKb(status, "VmHWM"), 256);
  assert.throws(() => parseStatusKb(status, "VmSwap"), /no VmSwap/);
});

test("parseSchedstat reads a thread's time on a core and waiting for one, in ms", () => {
  assert.deepEqual(parseSchedstat("7042744000 15957076000 4\n"), { runMs: 7042.744, waitMs: 15957.076 });
});

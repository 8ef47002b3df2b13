import assert from "node:assert/strict";
import { test } from "node:test";
import { combine, planLanes } from "./loadgen";

test("lanes are dealt round the processes and every message goes to one lane", () => {
  const plan = planLanes(30_001, 10, 3);
  assert.deepEqual(plan.map((lanes) => lanes.map((l) => l.index)), [[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]);
  const quotas = plan.flat().sort((a, b) => a.index - b.index).map((l) => l.quota);
  assert.equal(quotas.reduce((a, b) => a + b), 30_001);
  assert.deepEqual(quotas.slice(0, 2), [3001, 3000]);
  // More processes than lanes: one lane each, no empty process.
  assert.equal(planLanes(100, 10, 16).length, 10);
});

test("a flow spans from the first process's start to the last one's last message", () => {
  const r = combine([
    { delivered: 10, acked: 10, expected: 10, startedAt: 1000, lastAt: 1500, timedOut: false, cpuMs: 5 },
    { delivered: 8, acked: 7, expected: 10, startedAt: 1002, lastAt: 1800, timedOut: true, cpuMs: 6 },
  ]);
  assert.deepEqual(r, { delivered: 18, acked: 17, expected: 20, elapsedMs: 800, timedOut: true, generatorCpuMs: 11 });
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { localMidnight, minimumSpan, niceStep, timeTicks, valueScale, visibleRange } from "./chart-scale";

test("a humidity flicking between 38 and 39 % is drawn within at least 10 %", () => {
  assert.deepEqual(visibleRange(38, 39, minimumSpan("%")), [33.5, 43.5]);
  assert.deepEqual(visibleRange(10, 30, minimumSpan("%")), [10, 30]);
  assert.equal(minimumSpan("°C"), 2);
  assert.equal(minimumSpan("ppm"), 200);
  assert.equal(minimumSpan("", 1000), 50);
});

test("value ticks fall on round numbers", () => {
  for (const [span, max, step] of [
    [0.09, 5, 0.02],
    [1, 5, 0.2],
    [2, 5, 0.5],
    [12, 5, 2.5],
    [430, 5, 100],
  ] as const) {
    assert.equal(niceStep(span, max), step, `span ${span}`);
  }
  // The case from the issue: 21.38, 21.47 … becomes whole and half degrees.
  const scale = valueScale(21.38, 21.92, 2);
  assert.deepEqual(scale.ticks, [20.5, 21, 21.5, 22, 22.5, 23]);
  assert.deepEqual(scale.domain, [20.5, 23]);
  assert.deepEqual(valueScale(0.1, 0.3, 0.2).ticks, [0.1, 0.15, 0.2, 0.25, 0.3]);
});

test("time ticks sit on round local times, away from the edges", () => {
  const from = localMidnight(Date.UTC(2026, 10, 30, 12)) + 10 * 3_600_000 + 7 * 60_000; // 10:07
  const hour = timeTicks(from, from + 3_600_000, 6);
  assert.ok(hour.length >= 3 && hour.length <= 6);
  for (const tick of hour) assert.equal(new Date(tick.t).getMinutes() % 10, 0);
  assert.ok(hour.every((t) => t.t > from + 60_000 && t.t < from + 3_600_000 - 60_000));
  // One day only: no tick needs its date.
  assert.ok(hour.every((t) => !t.newDay));
});

test("a range across days names the day on the first tick of each day", () => {
  const to = localMidnight(Date.UTC(2026, 10, 30, 12)) + 6 * 3_600_000; // 06:00
  const ticks = timeTicks(to - 24 * 3_600_000, to, 8);
  assert.ok(ticks[0].newDay, "the first tick names its day");
  const midnight = ticks.find((t) => new Date(t.t).getHours() === 0);
  assert.ok(midnight?.newDay, "the first tick of the next day names it");
  assert.equal(ticks.filter((t) => t.newDay).length, 2);
  const week = timeTicks(to - 7 * 24 * 3_600_000, to, 10);
  assert.ok(week.every((t) => new Date(t.t).getHours() === 0 && t.newDay), "a week is ticked at midnights, each a new day");
  assert.equal(new Set(week.map((t) => t.t)).size, week.length);
});

test("a zoom of a few seconds gets ticks seconds apart, never the same minute four times", () => {
  const from = Date.UTC(2026, 10, 30, 12, 0, 3);
  const ticks = timeTicks(from, from + 40_000, 6);
  assert.ok(ticks.length >= 2);
  assert.ok(ticks[0].step < 60_000);
});

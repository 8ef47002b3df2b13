import assert from "node:assert/strict";
import { test } from "node:test";
import { formatMoment, formatReading, formatTimeAgo, formatValue } from "./format";

test("formatValue and formatReading, English by default and in Korean", () => {
  assert.equal(formatValue(21.456), "21.46");
  assert.equal(formatValue(-0.001), "0");
  assert.equal(formatValue(12345.5), "12,345.5");
  assert.equal(formatValue(1013.25, "ko"), "1013.25");
  assert.equal(formatReading(31.7, "°C", "ko"), "31.7 °C");
  assert.equal(formatReading(5, ""), "5");
});

test("formatTimeAgo in both languages", () => {
  const now = 1_000_000_000;
  const cases: [number, "en" | "ko", string][] = [
    [1000, "en", "just now"],
    [12_000, "en", "12 s ago"],
    [5 * 60_000, "en", "5 min ago"],
    [2 * 3_600_000, "en", "2 h ago"],
    [3 * 86_400_000, "en", "3 d ago"],
    [1000, "ko", "방금"],
    [12_000, "ko", "12초 전"],
    [5 * 60_000, "ko", "5분 전"],
    [2 * 3_600_000, "ko", "2시간 전"],
    [-5000, "en", "just now"],
  ];
  for (const [age, locale, expected] of cases) assert.equal(formatTimeAgo(now - age, now, locale), expected);
});

test("a moment just after midnight, seen from a clock tick just before it, is today's: no date (review-12 F2)", () => {
  const since = new Date(2026, 11, 1, 0, 0, 10).getTime();
  const lastTick = new Date(2026, 10, 30, 23, 59, 40).getTime();
  assert.match(formatMoment(since, lastTick, "en"), /^\d{2}:\d{2}$/);
  // A moment on an earlier day is still dated.
  const yesterday = new Date(2026, 10, 30, 23, 59, 50).getTime();
  assert.match(formatMoment(yesterday, new Date(2026, 11, 1, 0, 0, 40).getTime(), "en"), /^Nov 30, 23:59$/);
});

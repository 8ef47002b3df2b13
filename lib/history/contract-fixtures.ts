// Fixed fixtures shared by the contract suites (store-contract.ts, tier-contract.ts).
import assert from "node:assert/strict";
import type { Reading } from "../readings";
import { parseHomeTopic } from "../topics";

/** 2026-01-01T00:00:00Z: fixture time, far from 0 so off-by-epoch mistakes show. */
export const T0 = Date.UTC(2026, 0, 1);

export const ATTIC = "home/attic/temperature";
export const KITCHEN = "home/kitchen/humidity";

export function reading(topic: string, ts: number, value: number, unit = "°C"): Reading {
  const parsed = parseHomeTopic(topic);
  assert.ok(parsed?.kind === "measurement", `fixture topic ${topic} is not a measurement`);
  return { topic, room: parsed.room, measurement: parsed.measurement, value, unit, ts };
}

/** `count` readings of `topic` `stepMs` apart from T0 (one second by default), with the value `at(i)`. */
export function series(topic: string, count: number, at: (i: number) => number, stepMs = 1000): Reading[] {
  return Array.from({ length: count }, (_, i) => reading(topic, T0 + i * stepMs, at(i)));
}

/**
 * A fixed, irregular-looking but fully determined value sequence (a small linear
 * congruential generator), so roll-up tests see varied data without randomness.
 */
export function wobble(i: number): number {
  const x = (i * 1103515245 + 12345) % 2147483648;
  return Math.round((15 + (x / 2147483648) * 15) * 100) / 100;
}

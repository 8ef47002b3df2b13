// How the five other people of issue 13's P4 ("publish → pixels p99 stays < 25 ms while
// five other browsers open 30-day charts") open their charts, and what the section reads
// back from it: the schedule (pure, tested in people-pace.test.ts) and each rep's opens.
import { median } from "./stats";

/**
 * "storm": each person reopens the instant the last open finished (the ninth pass's model,
 * 5–6 opens a second on this machine: a stress row, no budget; no five people do this).
 * "rounds": all five start an open together at every round (epochMs + k × periodMs), look
 * at it until the next round, open again. A person whose open is still running when a round
 * starts skips that round (counted as missed) and starts at the next one.
 */
export type Pace = { kind: "storm" } | { kind: "rounds"; periodMs: number; epochMs: number };

/**
 * One round every 5 s. A person opening a room's 30-day chart on a phone taps the room (the
 * page loads, its 24 h chart), taps "30 d", and reads a month's curve, its min/max band and
 * the value under a finger before going back for another room: a few seconds at the very
 * least, usually tens. 5 s from one open's start to the next, open included, is brisk
 * flicking through rooms, and all five doing it in lockstep puts the worst moment —
 * five charts asked for at once — into every round: the harsh end of plausible, on purpose.
 * That is one open a second on average against the storm's 5–6, in bursts of five.
 */
export const PEOPLE_ROUND_MS = 5_000;

/** The first round that starts at or after `at` (ms since the epoch, Date.now()). */
export function nextRoundAt(pace: Extract<Pace, { kind: "rounds" }>, at: number): number {
  const k = Math.max(0, Math.ceil((at - pace.epochMs) / pace.periodMs));
  return pace.epochMs + k * pace.periodMs;
}

/**
 * A loaded rep under rounds measures whole rounds: its window opens `leadMs` before a round
 * starts and lasts `rounds` periods, so it holds exactly `rounds` round starts whatever the
 * phase of the clock, and every rep sees the same share of bursts.
 */
export function roundWindow(pace: Extract<Pace, { kind: "rounds" }>, earliest: number, rounds: number, leadMs = 100): { from: number; to: number } {
  const first = nextRoundAt(pace, earliest + leadMs);
  return { from: first - leadMs, to: first - leadMs + rounds * pace.periodMs };
}

/** One replayed open: who, when it started (Date.now()), how long until every answer was read. */
export type Open = { person: number; at: number; ms: number };

export type OpensSummary = { count: number; perSecond: number; p50: number; max: number; /** Opens (of any start) that ended inside the window. */ finished: number };

/** The opens that started inside [from, to): how many a second, and their times; and how many ended inside it. */
export function opensIn(opens: readonly Open[], from: number, to: number): OpensSummary {
  const ms = opens.filter((o) => o.at >= from && o.at < to).map((o) => o.ms);
  const finished = opens.filter((o) => o.at + o.ms >= from && o.at + o.ms < to).length;
  return { count: ms.length, perSecond: (ms.length * 1000) / (to - from), p50: median(ms), max: ms.length === 0 ? NaN : Math.max(...ms), finished };
}

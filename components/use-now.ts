import { useCallback, useSyncExternalStore } from "react";

// One ticking clock per interval, shared by every component that asks for it:
// a wall of "12 s ago" labels costs one timer, and they all tick together.

type Clock = { now: number; listeners: Set<() => void>; timer?: ReturnType<typeof setInterval> };

const clocks = new Map<number, Clock>();

function clockFor(intervalMs: number): Clock {
  let clock = clocks.get(intervalMs);
  if (!clock) clocks.set(intervalMs, (clock = { now: Date.now(), listeners: new Set() }));
  return clock;
}

/** The shared clock's time, as of its last tick. */
export function clockNow(intervalMs: number): number {
  return clockFor(intervalMs).now;
}

/** Calls `listener` on every tick of the shared clock; returns the unsubscribe. */
export function subscribeClock(intervalMs: number, listener: () => void): () => void {
  const clock = clockFor(intervalMs);
  clock.listeners.add(listener);
  if (clock.timer === undefined) {
    // The clock was idle: its time is stale until the first tick.
    clock.now = Date.now();
    clock.timer = setInterval(() => {
      clock.now = Date.now();
      for (const l of clock.listeners) l();
    }, intervalMs);
  }
  return () => {
    clock.listeners.delete(listener);
    if (clock.listeners.size === 0) {
      clearInterval(clock.timer);
      clock.timer = undefined;
    }
  };
}

const serverNow = () => null;
const noClock = () => () => {};

/**
 * The current time (epoch ms), updated every `intervalMs`. Null on the server and
 * while hydrating: the server's clock is not the browser's, and text computed from
 * either would not match the other. A null interval is no clock (and null), so a
 * component can tick only while it needs to.
 */
export function useNow(intervalMs: number | null): number | null {
  return useClock(intervalMs, identity);
}

const identity = (now: number) => now;

/**
 * Something computed from the current time, re-rendering only when it changes:
 * a thousand "just now" labels cost a thousand cheap calls a tick, not a thousand
 * renders (bench/README.md, "dashboard under load"). `select` must return a
 * primitive or a stable object; null on the server, while hydrating, and for a
 * null interval (no clock at all).
 */
export function useClock<T>(intervalMs: number | null, select: (now: number) => T): T | null {
  const subscribeToClock = useCallback(
    (listener: () => void) => (intervalMs === null ? noClock() : subscribeClock(intervalMs, listener)),
    [intervalMs],
  );
  return useSyncExternalStore(
    subscribeToClock,
    () => (intervalMs === null ? null : select(clockFor(intervalMs).now)),
    serverNow,
  );
}

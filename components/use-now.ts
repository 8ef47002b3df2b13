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

function subscribe(intervalMs: number, listener: () => void): () => void {
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
  const subscribeToClock = useCallback(
    (listener: () => void) => (intervalMs === null ? noClock() : subscribe(intervalMs, listener)),
    [intervalMs],
  );
  return useSyncExternalStore(subscribeToClock, () => (intervalMs === null ? null : clockFor(intervalMs).now), serverNow);
}

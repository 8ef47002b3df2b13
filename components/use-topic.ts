import { useCallback, useRef, useSyncExternalStore } from "react";
import type { TopicSnapshot } from "@/lib/live-store";
import { atMostEvery } from "@/lib/at-most-every";
import { useLiveStore } from "@/components/use-live-store";

/**
 * One measurement topic's snapshot; re-renders only when that topic changes. With
 * `live` false it stops listening (an off-screen chart need not follow every reading)
 * and catches up with the store when `live` turns true again. With `minIntervalMs` it
 * re-renders at most that often, with the newest snapshot (lib/at-most-every.ts).
 */
export function useTopic(topic: string, live = true, minIntervalMs = 0): TopicSnapshot | undefined {
  const { store } = useLiveStore();
  const subscribe = useCallback(
    (listener: () => void) => {
      if (!live) return noop;
      if (minIntervalMs <= 0) return store.subscribeTopic(topic, listener);
      // A random phase: a wall of sparklines woken by the same readings must not all redraw in one frame each interval.
      const limited = atMostEvery(listener, minIntervalMs, undefined, { phase: Math.random });
      const stop = store.subscribeTopic(topic, limited.call);
      return () => {
        stop();
        limited.cancel();
      };
    },
    [store, topic, live, minIntervalMs],
  );
  const get = useCallback(() => store.getTopic(topic), [store, topic]);
  return useSyncExternalStore(subscribe, get, get);
}

/**
 * Part of one topic's snapshot, re-rendering only when that part changes (by `equal`,
 * Object.is unless given): a row's label and unit stay put while its value changes a
 * thousand times, and a value that repeats draws nothing (bench/README.md, "dashboard
 * under load"). `select` may return a new object each call when `equal` compares it.
 */
export function useTopicSelect<T>(
  topic: string,
  select: (snapshot: TopicSnapshot | undefined) => T,
  equal: (a: T, b: T) => boolean = Object.is,
): T {
  const { store } = useLiveStore();
  const subscribe = useCallback((listener: () => void) => store.subscribeTopic(topic, listener), [store, topic]);
  // The last value handed to React: returned again while `equal` says nothing changed,
  // since useSyncExternalStore re-renders on any new reference.
  const last = useRef<{ value: T } | null>(null);
  const get = () => {
    const next = select(store.getTopic(topic));
    if (last.current && equal(last.current.value, next)) return last.current.value;
    last.current = { value: next };
    return next;
  };
  return useSyncExternalStore(subscribe, get, get);
}

/** Equal when both are null or have the same keys with Object.is-equal values. */
export function shallowEqual<T extends Record<string, unknown> | null>(a: T, b: T): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.is(a[k], b[k]));
}

const noop = () => {};

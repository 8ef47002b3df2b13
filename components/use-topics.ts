import { useCallback, useRef, useSyncExternalStore } from "react";
import { useLiveStore } from "@/components/use-live-store";
import type { TopicSnapshot } from "@/lib/live-store";

type Cached = { key: string; snapshots: readonly (TopicSnapshot | undefined)[] };

/**
 * Several topics' snapshots at once (a multi-series chart); the array is the same
 * object until one of those topics changes, so useSyncExternalStore stays stable.
 */
export function useTopics(topics: readonly string[]): readonly (TopicSnapshot | undefined)[] {
  const { store } = useLiveStore();
  const key = topics.join("\n");
  const cache = useRef<Cached | null>(null);
  const subscribe = useCallback(
    (listener: () => void) => {
      const offs = key === "" ? [] : key.split("\n").map((t) => store.subscribeTopic(t, listener));
      return () => offs.forEach((off) => off());
    },
    [store, key],
  );
  const get = () => {
    const snapshots = topics.map((t) => store.getTopic(t));
    const last = cache.current;
    if (last && last.key === key && last.snapshots.every((s, i) => s === snapshots[i])) return last.snapshots;
    cache.current = { key, snapshots };
    return snapshots;
  };
  return useSyncExternalStore(subscribe, get, get);
}

import { useCallback, useSyncExternalStore } from "react";
import type { TopicSnapshot } from "@/lib/live-store";
import { useLiveStore } from "@/components/use-live-store";

/**
 * One measurement topic's snapshot; re-renders only when that topic changes. With
 * `live` false it stops listening (an off-screen chart need not follow every reading)
 * and catches up with the store when `live` turns true again.
 */
export function useTopic(topic: string, live = true): TopicSnapshot | undefined {
  const { store } = useLiveStore();
  const subscribe = useCallback(
    (listener: () => void) => (live ? store.subscribeTopic(topic, listener) : noop),
    [store, topic, live],
  );
  const get = () => store.getTopic(topic);
  return useSyncExternalStore(subscribe, get, get);
}

const noop = () => {};

import { useCallback, useSyncExternalStore } from "react";
import type { TopicSnapshot } from "@/lib/live-store";
import { useLiveStore } from "@/components/use-live-store";

/** One measurement topic's snapshot; re-renders only when that topic changes. */
export function useTopic(topic: string): TopicSnapshot | undefined {
  const { store } = useLiveStore();
  const subscribe = useCallback((listener: () => void) => store.subscribeTopic(topic, listener), [store, topic]);
  const get = () => store.getTopic(topic);
  return useSyncExternalStore(subscribe, get, get);
}

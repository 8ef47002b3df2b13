import { useSyncExternalStore } from "react";
import type { RoomSummary } from "@/lib/live-rooms";
import { useLiveStore } from "@/components/use-live-store";

/** The rooms index, sorted by label; changes only when a room, topic or device appears. */
export function useRooms(): readonly RoomSummary[] {
  const { store } = useLiveStore();
  return useSyncExternalStore(store.subscribeRooms, store.getRooms, store.getRooms);
}

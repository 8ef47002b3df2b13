import { useEffect } from "react";
import { useLiveStore } from "@/components/use-live-store";

/**
 * While the calling component is mounted, the page's live connection carries only
 * these home topics (with any other mounted scope's), not the whole home: a room page
 * asks for its room (lib/live-scope.ts, issue 13).
 */
export function useLiveScope(filters: readonly string[]): void {
  const { store } = useLiveStore();
  const key = filters.join("\n");
  // No filters (lib/live-scope.ts NO_READINGS) is a scope too: none of the home's readings.
  useEffect(() => store.watch(key === "" ? [] : key.split("\n")), [store, key]);
}

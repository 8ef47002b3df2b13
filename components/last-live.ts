// When this browser was last connected to the hub, shared by the component that
// remembers it (offline-memory.tsx) and the badges that show it.
import { useSyncExternalStore } from "react";

let lastLiveAt: number | null = null;
const listeners = new Set<() => void>();

export function setLastLiveAt(at: number | null): void {
  if (at === lastLiveAt) return;
  lastLiveAt = at;
  for (const listener of listeners) listener();
}

export function getLastLiveAt(): number | null {
  return lastLiveAt;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Epoch ms of the last moment the page was live; null when unknown (and on the server). */
export function useLastLiveAt(): number | null {
  return useSyncExternalStore(subscribe, getLastLiveAt, () => null);
}

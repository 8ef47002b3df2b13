import { useSyncExternalStore } from "react";
import type { ConnectionState } from "@/lib/live-store";
import { useLiveStore } from "@/components/use-live-store";

/**
 * The connection state, or a part of it: `useConnection((c) => c.epoch)` re-renders
 * only when the epoch changes. A selector must return a primitive or an object
 * from the state, never a new object, or every call would look like a change.
 */
export function useConnection(): ConnectionState;
export function useConnection<T>(select: (state: ConnectionState) => T): T;
export function useConnection<T>(select?: (state: ConnectionState) => T): T | ConnectionState {
  const { store } = useLiveStore();
  const get = () => (select ? select(store.getConnection()) : store.getConnection());
  return useSyncExternalStore(store.subscribeConnection, get, get);
}

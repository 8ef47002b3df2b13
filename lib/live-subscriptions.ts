// Keeps a page's MQTT subscriptions in step with its live store's scopes (lib/live-scope.ts,
// issue 13): what the components mounted now declared, and, when the page widens back
// to rooms it did not follow, their newest stored readings. The browser edge of
// live-scope.ts; components/mqtt-provider.tsx owns the client and calls in here.
import type { MqttClient } from "mqtt";
import { widens } from "./live-scope";
import type { LiveStore } from "./live-store";
import type { Reading } from "./readings";

type Client = Pick<MqttClient, "connected" | "subscribe" | "unsubscribe">;

/** The newest stored reading of every topic into the store, which keeps whichever of two is newer. */
export async function catchUp(store: LiveStore): Promise<void> {
  try {
    const response = await fetch("/api/history/latest", { cache: "no-store" });
    if (response.ok) store.seed(((await response.json()) as { readings: Reading[] }).readings);
  } catch {
    // Unreachable hub: the live readings still come, only later.
  }
}

export type SubscriptionSync = {
  /** A clean session starts with no subscriptions: the store's, all to be asked for anew. */
  reset(): string[];
  /** Subscribes what the store wants now and the client lacks, then unsubscribes what it no longer wants. */
  sync(): void;
};

export function createSubscriptionSync(client: Client, store: LiveStore, isDisposed: () => boolean): SubscriptionSync {
  /**
   * The store's subscriptions as subscribed now: the home topics the page shows (a room
   * page its room, lib/live-scope.ts) and device topics beyond them (zigbee2mqtt/…).
   */
  const extra = new Set<string>();

  function reset(): string[] {
    extra.clear();
    for (const t of store.getSubscriptions()) extra.add(t);
    return [...extra];
  }

  function sync(): void {
    if (isDisposed() || !client.connected) return;
    const wanted = new Set(store.getSubscriptions());
    const add = [...wanted].filter((t) => !extra.has(t));
    const remove = [...extra].filter((t) => !wanted.has(t));
    const widened = widens([...extra], add);
    for (const t of add) extra.add(t);
    for (const t of remove) extra.delete(t);
    // New filters before old ones go: the hub sends a reading matching both once
    // (router.ts), so narrowing or widening the page's scope loses nothing in between.
    if (add.length > 0) {
      client.subscribe(add, { qos: 0 }, (error) => {
        if (isDisposed()) return;
        if (error) console.warn(`hearth: subscribing to ${add.join(", ")} failed: ${error.message}`);
        // Rooms this page did not follow while it showed one: their newest stored values now.
        else if (widened) void catchUp(store);
      });
    }
    if (remove.length > 0) client.unsubscribe(remove);
  }

  return { reset, sync };
}

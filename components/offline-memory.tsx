"use client";

import { useEffect } from "react";
import { getLastLiveAt, setLastLiveAt } from "@/components/last-live";
import { useLiveStore } from "@/components/use-live-store";
import { LAST_VALUES_KEY, parseLastValues, serializeLastValues } from "@/lib/last-values";
import type { LiveStore } from "@/lib/live-store";
import type { Reading } from "@/lib/readings";

/** Often enough that a reload after a sudden outage is at most this old. */
const SAVE_EVERY_MS = 5000;

function currentReadings(store: LiveStore): Reading[] {
  const readings: Reading[] = [];
  for (const room of store.getRooms()) {
    for (const topic of room.topics) {
      const reading = store.getTopic(topic)?.reading;
      if (reading) readings.push(reading);
    }
  }
  return readings;
}

/**
 * Remembers the last values and when the hub was last live, and brings them back on
 * the next load (issue 7): a page served by the service worker while the hub is
 * down shows what it last knew. The store's seed keeps whichever reading is newer.
 */
export function OfflineMemory() {
  const { store } = useLiveStore();
  useEffect(() => {
    const stored = parseLastValues(localStorage.getItem(LAST_VALUES_KEY));
    if (stored) {
      store.seed(stored.readings);
      setLastLiveAt(stored.lastLiveAt);
    }
    let wasConnected = false;
    const save = () => {
      const connected = store.getConnection().status === "connected";
      // Connected now, or just lost: either way the hub was live a moment ago.
      if (connected || wasConnected) setLastLiveAt(Date.now());
      wasConnected = connected;
      try {
        localStorage.setItem(LAST_VALUES_KEY, serializeLastValues(currentReadings(store), getLastLiveAt()));
      } catch {
        // Storage full or disabled (private mode): the page works, only without memory.
      }
    };
    save();
    const timer = setInterval(save, SAVE_EVERY_MS);
    // Losing the connection is the moment worth writing down at once.
    const stopWatching = store.subscribeConnection(save);
    const onHide = () => {
      if (document.visibilityState === "hidden") save();
    };
    document.addEventListener("visibilitychange", onHide);
    window.addEventListener("pagehide", save);
    return () => {
      clearInterval(timer);
      stopWatching();
      document.removeEventListener("visibilitychange", onHide);
      window.removeEventListener("pagehide", save);
    };
  }, [store]);
  return null;
}

import { useCallback, useSyncExternalStore } from "react";

// Opt-in, per browser: a phone may want notifications, the wall tablet a sound,
// a desktop neither. Kept in localStorage, so each device chooses for itself.

export type NotifySettings = { notifications: boolean; sound: boolean };

const KEYS: Record<keyof NotifySettings, string> = {
  notifications: "hearth.alerts.notifications",
  sound: "hearth.alerts.sound",
};

const OFF: NotifySettings = { notifications: false, sound: false };
const listeners = new Set<() => void>();
let cached: NotifySettings = OFF;

export function readNotifySettings(): NotifySettings {
  if (typeof localStorage === "undefined") return OFF;
  const next = { notifications: localStorage.getItem(KEYS.notifications) === "1", sound: localStorage.getItem(KEYS.sound) === "1" };
  // The same object while nothing changed, as useSyncExternalStore requires.
  if (next.notifications !== cached.notifications || next.sound !== cached.sound) cached = next;
  return cached;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener("storage", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", listener);
  };
}

export function useNotifySettings(): [NotifySettings, (key: keyof NotifySettings, on: boolean) => void] {
  const settings = useSyncExternalStore(subscribe, readNotifySettings, () => OFF);
  const set = useCallback((key: keyof NotifySettings, on: boolean) => {
    localStorage.setItem(KEYS[key], on ? "1" : "0");
    for (const listener of listeners) listener();
  }, []);
  return [settings, set];
}

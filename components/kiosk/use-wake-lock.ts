import { useEffect } from "react";

/**
 * Keeps the screen on while the kiosk is showing (issue 7), where the browser allows
 * it: the Screen Wake Lock API needs a secure context, and the lock is dropped
 * whenever the page is hidden, so it is asked for again on every return.
 */
export function useWakeLock(): void {
  useEffect(() => {
    if (!("wakeLock" in navigator)) return;
    let sentinel: WakeLockSentinel | null = null;
    let disposed = false;
    const request = async () => {
      if (document.visibilityState !== "visible" || (sentinel && !sentinel.released)) return;
      try {
        const next = await navigator.wakeLock.request("screen");
        if (disposed) void next.release();
        else sentinel = next;
      } catch {
        // Refused (battery saver, no user gesture yet, policy): the screen may sleep; nothing else changes.
      }
    };
    void request();
    document.addEventListener("visibilitychange", request);
    // Some browsers grant the lock only after a user gesture.
    window.addEventListener("pointerdown", request);
    return () => {
      disposed = true;
      document.removeEventListener("visibilitychange", request);
      window.removeEventListener("pointerdown", request);
      void sentinel?.release();
    };
  }, []);
}

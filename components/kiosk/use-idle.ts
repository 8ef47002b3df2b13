import { useCallback, useEffect, useRef, useState } from "react";

const ACTIVITY = ["pointerdown", "keydown", "wheel"] as const;

/**
 * True once nobody has touched the screen for `idleMs`; any touch, key or wheel
 * makes it false again. `poke()` counts as a touch (a motion sensor waking the kiosk).
 */
export function useIdle(idleMs: number): { idle: boolean; poke: () => void } {
  const [idle, setIdle] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const poke = useCallback(() => {
    setIdle(false);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setIdle(true), idleMs);
  }, [idleMs]);
  useEffect(() => {
    poke();
    for (const type of ACTIVITY) window.addEventListener(type, poke, { passive: true });
    return () => {
      clearTimeout(timer.current);
      for (const type of ACTIVITY) window.removeEventListener(type, poke);
    };
  }, [poke]);
  return { idle, poke };
}

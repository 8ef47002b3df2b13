"use client";

import { useEffect, useRef } from "react";
import { KioskClock } from "@/components/kiosk/kiosk-clock";
import { useNow } from "@/components/use-now";
import { useTopic } from "@/components/use-topic";
import { useT } from "@/components/use-t";
import { isNight, type NightSchedule } from "@/lib/kiosk/options";

/**
 * Night mode (issue 7): inside the schedule, once nobody has touched the screen for
 * the idle time, the kiosk goes almost dark. A touch wakes it (the cover takes that
 * touch, so it never switches a device), and so does any message on the wake topic.
 */
export function NightCover({
  schedule,
  wakeTopic,
  idle,
  wake,
}: {
  schedule: NightSchedule | null;
  wakeTopic: string | null;
  idle: boolean;
  wake: () => void;
}) {
  const t = useT();
  const now = useNow(schedule ? 30_000 : null);
  useWakeTopic(wakeTopic, wake);
  const dark = now !== null && idle && isNight(schedule, new Date(now));
  if (!dark) return null;
  return (
    <div
      data-testid="kiosk-night"
      onPointerDown={(event) => {
        event.preventDefault();
        wake();
      }}
      className="fixed inset-0 z-[60] flex flex-col items-center justify-center gap-6 bg-black/90 text-white/40"
    >
      <KioskClock />
      <p className="text-lg">{t("kiosk.night")}</p>
    </div>
  );
}

/** Calls `wake` on every new message on the topic (a motion sensor's), not on the first render. */
function useWakeTopic(topic: string | null, wake: () => void): void {
  const snapshot = useTopic(topic ?? "");
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (topic && snapshot) wake();
  }, [snapshot, topic, wake]);
}

"use client";

import { useDevice } from "@/components/use-device";
import { cn } from "@/lib/cn";
import { deviceKey } from "@/lib/live-store";
import { labelFromLevel } from "@/lib/topics";

const BADGE = "rounded-full px-2 py-0.5 text-xs font-semibold tracking-wide";
const TONE = {
  on: "bg-accent text-surface",
  off: "bg-line text-ink",
  unknown: "bg-line/60 text-muted",
  offline: "border border-danger text-danger",
} as const;

/**
 * A device, read-only for now: a switch shows ON/OFF, and every device shows
 * whether it is reachable when it says so through its availability topic.
 */
export function DeviceRow({ room, device }: { room: string; device: string }) {
  const key = deviceKey(room, device);
  const snapshot = useDevice(key);
  const state = snapshot?.state ?? null;
  const availability = snapshot?.availability ?? null;
  const offline = availability === "offline";
  const tone = state === null ? "unknown" : state.toUpperCase() === "ON" ? "on" : "off";
  return (
    <li
      data-device={key}
      data-state={state ?? undefined}
      data-availability={availability ?? undefined}
      className="flex items-center justify-between gap-3 py-2"
    >
      <span className={cn("truncate", offline && "text-muted")}>{labelFromLevel(device)}</span>
      <span className="flex shrink-0 items-center gap-2">
        {offline && <span className={cn(BADGE, TONE.offline)}>offline</span>}
        {state !== null ? (
          <span className={cn(BADGE, TONE[tone], offline && "opacity-50")}>{state}</span>
        ) : availability === "online" ? (
          <span className={cn(BADGE, TONE.unknown)}>online</span>
        ) : availability === null ? (
          <span className={cn(BADGE, TONE.unknown)}>
            <span aria-hidden>–</span>
            <span className="sr-only">state unknown</span>
          </span>
        ) : null}
      </span>
    </li>
  );
}

"use client";

import { DeviceToggle } from "@/components/device-toggle";
import { useDeviceControls } from "@/components/device-controls";
import { useDevice } from "@/components/use-device";
import { useToggleGate } from "@/components/use-toggle-gate";
import { useT } from "@/components/use-t";
import { cn } from "@/lib/cn";
import { binaryStateWord } from "@/lib/devices/registry";
import type { Translate } from "@/lib/i18n/translate";

const BADGE = "rounded-full px-2 py-0.5 text-xs font-semibold tracking-wide";
const TONE = {
  on: "bg-accent text-surface",
  off: "bg-line text-ink",
  unknown: "bg-line/60 text-muted",
  offline: "border border-danger text-danger",
} as const;

/**
 * A device from the registry: a switch or light gets a toggle, a binary sensor or
 * a status-only device shows its state; every device shows when it is offline, or
 * when its declared availability has stayed silent ("unknown" is not "offline").
 */
export function DeviceRow({ deviceKey }: { deviceKey: string }) {
  const device = useDevice(deviceKey);
  // The rooms index lists only devices the store holds, so this is a stale index at worst.
  if (!device) return null;
  return <DeviceRowBody device={device} />;
}

/** "open" / "열림"; a state with no word for it shows as the device sent it. */
function binaryStateText(deviceClass: string | null, state: string, t: Translate): string {
  const word = binaryStateWord(deviceClass, state);
  if (word) return t(`binaryState.${word}`);
  // A binary sensor with no class still says ON / OFF, which reads in the page's language too.
  const upper = state.toUpperCase();
  return upper === "ON" ? t("device.on") : upper === "OFF" ? t("device.off") : state;
}

function DeviceRowBody({ device }: { device: NonNullable<ReturnType<typeof useDevice>> }) {
  const { canControl } = useDeviceControls();
  const { availability } = useToggleGate(device, canControl, false);
  const t = useT();
  const { state } = device;
  const dimmed = availability === "offline" || availability === "unknown";
  const tone = state === null ? "unknown" : state.toUpperCase() === "ON" ? "on" : "off";
  return (
    <li
      data-device={device.key}
      data-kind={device.kind}
      data-state={state ?? undefined}
      data-availability={availability ?? undefined}
      className="flex items-center justify-between gap-3 py-2"
    >
      {/* Wraps rather than shrinking to "Hallw…" when badges take the room (issue 15). */}
      <span data-device-name className={cn("min-w-0 break-words", dimmed && "text-muted")}>
        {device.icon && (
          <span aria-hidden className="mr-1.5">
            {device.icon}
          </span>
        )}
        {device.name}
      </span>
      <span className="flex shrink-0 items-center gap-2">
        {/* A toggle words its own reason ("offline"): a badge beside it would say it twice (issue 15). */}
        {!device.command && availability === "offline" && <span className={cn(BADGE, TONE.offline)}>{t("device.reason.offline")}</span>}
        {!device.command && availability === "unknown" && <span className={cn(BADGE, TONE.unknown)}>{t("device.reason.unknown")}</span>}
        {device.command ? (
          <DeviceToggle device={device} canControl={canControl} />
        ) : state !== null ? (
          <span className={cn(BADGE, TONE[tone], dimmed && "opacity-50")}>{binaryStateText(device.deviceClass, state, t)}</span>
        ) : availability === "online" ? (
          <span className={cn(BADGE, TONE.unknown)}>{t("device.online")}</span>
        ) : availability === null ? (
          <span className={cn(BADGE, TONE.unknown)}>
            <span aria-hidden>–</span>
            <span className="sr-only">{t("device.stateUnknown")}</span>
          </span>
        ) : null}
      </span>
    </li>
  );
}

"use client";

import { useCallback, useEffect, useMemo, useState } from "react";
import { AlertResync } from "@/components/alert-resync";
import { ConnectionIndicator } from "@/components/connection-indicator";
import { DeviceControlsProvider, type DeviceControls } from "@/components/device-controls";
import { KioskAlerts } from "@/components/kiosk/kiosk-alerts";
import { KioskClock } from "@/components/kiosk/kiosk-clock";
import { KioskGrid } from "@/components/kiosk/kiosk-grid";
import { KioskRoom } from "@/components/kiosk/kiosk-room";
import { NightCover } from "@/components/kiosk/night-cover";
import { useIdle } from "@/components/kiosk/use-idle";
import { useWakeLock } from "@/components/kiosk/use-wake-lock";
import { StaleNotice } from "@/components/stale-notice";
import { ToastProvider } from "@/components/toaster";
import { useConnection } from "@/components/use-connection";
import { useRooms } from "@/components/use-rooms";
import { useT } from "@/components/use-t";
import { useCanOperate } from "@/components/user-context";
import { cn } from "@/lib/cn";
import type { KioskOptions } from "@/lib/kiosk/options";

/**
 * The wall tablet's whole screen (issue 7): clock, alerts, the rooms' key readings
 * and toggles. It keeps the screen on, returns to all rooms after the idle time,
 * dims at night, and drifts a few pixels over the minutes against burn-in. The one
 * MQTT provider above it reconnects after sleep, Wi-Fi drops and hub restarts.
 */
export function KioskView({
  options,
  commandTimeoutMs,
}: {
  options: KioskOptions;
  commandTimeoutMs: number;
}) {
  const t = useT();
  // The config file's devices are in the store from its creation (MqttProvider's deviceConfig).
  const rooms = useRooms();
  const status = useConnection((c) => c.status);
  // The role decides, then the lock: a viewer's wall shows "view only" toggles, since
  // the broker would refuse (and disconnect) a viewer's command (issue 15).
  const canOperate = useCanOperate();
  const canControl = canOperate && !options.locked;
  const controls = useMemo<DeviceControls>(() => ({ canControl, commandTimeoutMs }), [canControl, commandTimeoutMs]);
  const [openRoom, setOpenRoom] = useState<string | null>(null);
  const [page, setPage] = useState(0);
  const { idle, poke } = useIdle(options.idleSeconds * 1000);
  useWakeLock();

  // Home again after the idle time: all rooms, the first page. The home view fits the
  // screen (KioskGrid), so there is nothing to scroll back.
  useEffect(() => {
    if (!idle) return;
    setOpenRoom(null);
    setPage(0);
  }, [idle]);
  const open = useCallback((room: string) => setOpenRoom(room), []);
  const expanded = openRoom === null ? null : (rooms.find((r) => r.room === openRoom) ?? null);

  return (
    <div
      data-kiosk
      data-testid="kiosk"
      data-theme={options.theme}
      data-locked={options.locked}
      data-view={openRoom === null ? "home" : "room"}
      // The home view fits the screen and never scrolls; an open room may.
      className={cn("fixed inset-0 z-50 bg-canvas text-ink", expanded ? "overflow-y-auto" : "overflow-hidden")}
    >
      <AlertResync />
      <DeviceControlsProvider value={controls}>
        <ToastProvider>
          <div
            className={cn(
              "flex flex-col gap-4 p-6 [animation:pixel-shift_40min_ease-in-out_infinite]",
              expanded ? "min-h-full" : "h-full",
            )}
          >
            <header className="flex flex-wrap items-start justify-between gap-6">
              <KioskClock />
              <div className="flex flex-col items-end gap-2 text-lg">
                <ConnectionIndicator className="text-xl" />
                <StaleNotice variant="kiosk" className="text-xl" />
                {options.locked && (
                  <span data-testid="kiosk-locked" className="text-base text-muted">
                    <span aria-hidden>🔒 </span>
                    {t("kiosk.locked")}
                  </span>
                )}
              </div>
            </header>
            <KioskAlerts />
            {expanded && (
              <button
                type="button"
                onClick={() => setOpenRoom(null)}
                className="min-h-11 self-start rounded-full border border-line px-5 text-lg"
              >
                ← {t("kiosk.back")}
              </button>
            )}
            {rooms.length === 0 ? (
              <p className="m-auto text-3xl text-muted">{t("kiosk.noRooms")}</p>
            ) : (
              <div className={cn("flex min-h-0 flex-1 flex-col transition-opacity", status !== "connected" && status !== "connecting" && "opacity-60")}>
                {expanded ? (
                  <KioskRoom room={expanded} expanded onOpen={open} />
                ) : (
                  <KioskGrid rooms={rooms} page={page} onPage={setPage} onOpen={open} />
                )}
              </div>
            )}
          </div>
          <NightCover schedule={options.night} wakeTopic={options.wakeTopic} idle={idle} wake={poke} />
        </ToastProvider>
      </DeviceControlsProvider>
    </div>
  );
}

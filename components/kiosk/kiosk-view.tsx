"use client";

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { AlertResync } from "@/components/alert-resync";
import { ConnectionIndicator } from "@/components/connection-indicator";
import { DeviceControlsProvider, type DeviceControls } from "@/components/device-controls";
import { KioskAlerts } from "@/components/kiosk/kiosk-alerts";
import { KioskClock } from "@/components/kiosk/kiosk-clock";
import { KioskRoom } from "@/components/kiosk/kiosk-room";
import { NightCover } from "@/components/kiosk/night-cover";
import { useIdle } from "@/components/kiosk/use-idle";
import { useWakeLock } from "@/components/kiosk/use-wake-lock";
import { StaleNotice } from "@/components/stale-notice";
import { ToastProvider } from "@/components/toaster";
import { useConnection } from "@/components/use-connection";
import { useRooms } from "@/components/use-rooms";
import { useT } from "@/components/use-t";
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
  const controls = useMemo<DeviceControls>(() => ({ canControl: !options.locked, commandTimeoutMs }), [options.locked, commandTimeoutMs]);
  const [openRoom, setOpenRoom] = useState<string | null>(null);
  const { idle, poke } = useIdle(options.idleSeconds * 1000);
  const scroller = useRef<HTMLDivElement>(null);
  useWakeLock();

  // Home again after the idle time: all rooms, scrolled to the top.
  useEffect(() => {
    if (!idle) return;
    setOpenRoom(null);
    scroller.current?.scrollTo({ top: 0 });
  }, [idle]);
  const open = useCallback((room: string) => setOpenRoom(room), []);
  const shown = openRoom === null ? rooms : rooms.filter((r) => r.room === openRoom);

  return (
    <div
      ref={scroller}
      data-kiosk
      data-testid="kiosk"
      data-theme={options.theme}
      data-locked={options.locked}
      data-view={openRoom === null ? "home" : "room"}
      className="fixed inset-0 z-50 overflow-y-auto bg-canvas text-ink"
    >
      <AlertResync />
      <DeviceControlsProvider value={controls}>
        <ToastProvider>
          <div className="flex min-h-full flex-col gap-6 p-6 [animation:pixel-shift_40min_ease-in-out_infinite] lg:p-10">
            <header className="flex flex-wrap items-start justify-between gap-6">
              <KioskClock />
              <div className="flex flex-col items-end gap-3 text-lg">
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
            {openRoom !== null && (
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
              <div
                className={cn(
                  "grid grid-cols-[repeat(auto-fill,minmax(min(100%,22rem),1fr))] gap-6 transition-opacity",
                  status !== "connected" && status !== "connecting" && "opacity-60",
                )}
              >
                {shown.map((room) => (
                  <KioskRoom key={room.room} room={room} expanded={openRoom !== null} onOpen={open} />
                ))}
              </div>
            )}
          </div>
          <NightCover schedule={options.night} wakeTopic={options.wakeTopic} idle={idle} wake={poke} />
        </ToastProvider>
      </DeviceControlsProvider>
    </div>
  );
}

"use client";

// A room's page (issue 15): its switches at the top, then one range picker that sets
// every chart below it, as Home Assistant's area page does.
import { useEffect, useMemo, useState, type ReactNode } from "react";
import { DeviceControlsProvider, type DeviceControls } from "@/components/device-controls";
import { DeviceRow } from "@/components/device-row";
import { HistoryChart } from "@/components/history-chart";
import { RangePicker } from "@/components/range-picker";
import { ToastProvider } from "@/components/toaster";
import { useLiveScope } from "@/components/use-live-scope";
import { useLiveStore } from "@/components/use-live-store";
import { useRooms } from "@/components/use-rooms";
import { useT } from "@/components/use-t";
import { useCanOperate } from "@/components/user-context";
import type { DeviceConfig } from "@/lib/devices/device-config";
import { DEFAULT_RANGE, type RangeSelection } from "@/lib/history/ranges";
import { roomScope } from "@/lib/live-scope";

export type RoomChart = { topic: string; label: string; heading: ReactNode };

export function RoomView({
  room,
  roomLabel,
  charts,
  devices,
  commandTimeoutMs,
}: {
  room: string;
  roomLabel: string;
  charts: readonly RoomChart[];
  devices: DeviceConfig[];
  commandTimeoutMs: number;
}) {
  const t = useT();
  const { store } = useLiveStore();
  // The page shows one room: the hub need not send it the whole home's readings (issue 13).
  useLiveScope(roomScope(room));
  // Devices from the config file; MQTT and discovery bring the rest.
  useEffect(() => store.setDeviceConfig(devices), [store, devices]);
  const canControl = useCanOperate();
  const controls = useMemo<DeviceControls>(() => ({ canControl, commandTimeoutMs }), [canControl, commandTimeoutMs]);
  const summary = useRooms().find((r) => r.room === room);
  const [selection, setSelection] = useState<RangeSelection>(DEFAULT_RANGE);
  return (
    <>
      {summary && summary.devices.length > 0 && (
        <DeviceControlsProvider value={controls}>
          <ToastProvider>
            <ul
              data-testid="room-controls"
              aria-label={t("room.devices", { room: roomLabel })}
              className="divide-y divide-line rounded-2xl border border-line bg-surface px-4 shadow-sm"
            >
              {summary.devices.map((key) => (
                <DeviceRow key={key} deviceKey={key} />
              ))}
            </ul>
          </ToastProvider>
        </DeviceControlsProvider>
      )}
      {charts.length > 0 && (
        <div data-testid="room-range" className="sticky top-14 z-[5] -mx-1 rounded-xl bg-canvas/95 px-1 py-1">
          <RangePicker selection={selection} onChange={setSelection} shown={null} />
        </div>
      )}
      {charts.map(({ topic, label, heading }) => (
        <div key={topic} className="flex flex-col gap-2">
          {heading}
          <HistoryChart topic={topic} label={label} height={240} selection={selection} onSelect={setSelection} />
        </div>
      ))}
    </>
  );
}

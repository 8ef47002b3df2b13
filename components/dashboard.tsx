"use client";

import { useMemo } from "react";
import { DeviceControlsProvider, type DeviceControls } from "@/components/device-controls";
import { RoomCard } from "@/components/room-card";
import { ToastProvider } from "@/components/toaster";
import { useRooms } from "@/components/use-rooms";
import { useCanOperate } from "@/components/user-context";
import { useT } from "@/components/use-t";
import { DEFAULT_COMMAND_TIMEOUT_MS } from "@/lib/devices/command";

/** Every room the hub has heard of, as cards; re-renders only when a room, topic or device appears. */
export function Dashboard({
  hubHost,
  commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS,
  availabilityGraceMs,
}: {
  hubHost: string;
  commandTimeoutMs?: number;
  /** How long a declared availability may stay silent before it shows as unknown. */
  availabilityGraceMs?: number;
}) {
  // Operators and admins switch devices; a viewer's toggles say "view only". The
  // broker's ACL is the real guard (issue 3); the UI only mirrors it. The config
  // file's devices are in the store from its creation (MqttProvider's deviceConfig).
  const canControl = useCanOperate();
  const controls = useMemo<DeviceControls>(
    () => ({ canControl, commandTimeoutMs, availabilityGraceMs }),
    [canControl, commandTimeoutMs, availabilityGraceMs],
  );
  const rooms = useRooms();
  return (
    <DeviceControlsProvider value={controls}>
      <ToastProvider>
        {rooms.length === 0 ? (
          <EmptyState hubHost={hubHost} />
        ) : (
          <div className="grid grid-cols-[repeat(auto-fill,minmax(min(100%,20rem),1fr))] gap-4">
            {/* The store keeps rooms sorted by label. */}
            {rooms.map((room) => (
              <RoomCard key={room.room} room={room} />
            ))}
          </div>
        )}
      </ToastProvider>
    </DeviceControlsProvider>
  );
}

function EmptyState({ hubHost }: { hubHost: string }) {
  const t = useT();
  return (
    <div data-testid="empty-state" className="mx-auto mt-16 max-w-xl text-center">
      <h2 className="text-xl font-semibold">{t("dashboard.empty.title")}</h2>
      <p className="mt-2 text-muted">{t("dashboard.empty.body")}</p>
      <pre className="mt-4 overflow-x-auto rounded-lg border border-line bg-surface px-4 py-3 text-left text-sm">
        <code>mosquitto_pub -h localhost -t home/attic/temperature -m 21.5</code>
      </pre>
      <p className="mt-4 text-sm text-muted">{t("dashboard.empty.remote", { host: hubHost })}</p>
    </div>
  );
}

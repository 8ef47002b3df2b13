"use client";

// What every toggle on a dashboard shares: whether this user may switch at all
// (operators and admins; the broker's ACL is the real guard, the UI mirrors it),
// and the hub's default command timeout.
import { createContext, useContext, type ReactNode } from "react";
import { DEFAULT_COMMAND_TIMEOUT_MS } from "@/lib/devices/command";

export type DeviceControls = {
  canControl: boolean;
  commandTimeoutMs: number;
  /** The hub's HEARTH_AVAILABILITY_GRACE_MS; lib/devices/toggle-gate.ts's default when absent. */
  availabilityGraceMs?: number;
};

const DeviceControlsContext = createContext<DeviceControls>({
  canControl: true,
  commandTimeoutMs: DEFAULT_COMMAND_TIMEOUT_MS,
});

export function DeviceControlsProvider({ value, children }: { value: DeviceControls; children: ReactNode }) {
  return <DeviceControlsContext.Provider value={value}>{children}</DeviceControlsContext.Provider>;
}

export function useDeviceControls(): DeviceControls {
  return useContext(DeviceControlsContext);
}

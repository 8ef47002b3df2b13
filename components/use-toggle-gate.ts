import { useConnection } from "@/components/use-connection";
import { useDeviceControls } from "@/components/device-controls";
import { useNow } from "@/components/use-now";
import type { DeviceSnapshot } from "@/lib/devices/live-registry";
import { toggleGate, type ToggleGate } from "@/lib/devices/toggle-gate";

/**
 * Whether a device's toggle may be used now, and what its availability shows.
 * The clock ticks only for a device whose availability is still unheard, which is
 * the one case where time alone changes the answer ("unknown for too long").
 */
export function useToggleGate(device: DeviceSnapshot, canControl: boolean, pending: boolean): ToggleGate {
  const status = useConnection((c) => c.status);
  const connectedSince = useConnection((c) => (c.status === "connected" ? c.since : null));
  const { availabilityGraceMs } = useDeviceControls();
  const waiting = device.expectsAvailability && device.availability === null;
  const now = useNow(waiting ? 1000 : null);
  return toggleGate({
    connection: status === "connected" ? "connected" : status === "connecting" ? "connecting" : "down",
    canControl,
    availability: device.availability,
    expectsAvailability: device.expectsAvailability,
    // Retained availability is resent on every connect: silence counts from the later of the two.
    unknownSince: Math.max(device.knownSince, connectedSince ?? Number.POSITIVE_INFINITY),
    now: now ?? 0,
    pending,
    graceMs: availabilityGraceMs,
  });
}

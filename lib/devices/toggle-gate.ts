// Whether a toggle may be used right now, and if not, the reason it shows (issue 5):
// "unknown" and "offline" are different states, and neither lets a command go out.

export type ShownAvailability = "online" | "offline" | "unknown";

export type ToggleGateInput = {
  /**
   * The page's own MQTT connection: "connecting" is the first attempt after page
   * load, which the header already shows, so it disables toggles without a reason
   * of their own; "down" is a connection that was lost.
   */
  connection: "connecting" | "connected" | "down";
  /** The user's role allows switching (operator or admin); the broker's ACL is the real guard. */
  canControl: boolean;
  availability: "online" | "offline" | null;
  /** The device declared availability topics (HA discovery, config). */
  expectsAvailability: boolean;
  /** Availability has been unknown, with the page connected, since this time (epoch ms). */
  unknownSince: number;
  now: number;
  pending: boolean;
  /** Retained availability arrives right after subscribing; silence past this is "unknown". */
  graceMs?: number;
};

/** Why a toggle is disabled; the toggle words it in the interface language (device.reason.*). */
export type ToggleBlock = "view-only" | "offline" | "unknown" | "not-connected" | "waiting";

export type ToggleGate = {
  enabled: boolean;
  /** Shown beside a disabled toggle; null when enabled. */
  reason: ToggleBlock | null;
  /** What the row shows: null when the device says nothing and was never expected to. */
  availability: ShownAvailability | null;
};

export const AVAILABILITY_GRACE_MS = 10_000;

export function toggleGate(input: ToggleGateInput): ToggleGate {
  const grace = input.graceMs ?? AVAILABILITY_GRACE_MS;
  const availability: ShownAvailability | null =
    input.availability ?? (input.expectsAvailability && input.now - input.unknownSince >= grace ? "unknown" : null);
  const reason: ToggleBlock | null = !input.canControl
    ? "view-only"
    : availability === "offline"
      ? "offline"
      : availability === "unknown"
        ? "unknown"
        : input.connection === "down"
          ? "not-connected"
          : input.pending
            ? "waiting"
            : null;
  return { enabled: reason === null && input.connection === "connected", reason, availability };
}

// Device accounts' presence for the settings page (issue 15), kept from the broker's
// connect and disconnect hooks: no work per message. The tracker itself is pure
// (lib/auth/device-presence.ts); this is its edge on the broker.
import type { DevicePresenceTracker } from "../lib/auth/device-presence";
import type { Principal } from "../lib/auth/roles";
import type { BrokerHook } from "./mqtt/hooks";

export function createDevicePresenceHook(presence: DevicePresenceTracker): BrokerHook<Principal> {
  return {
    onConnected({ principal }) {
      if (principal.kind === "device") presence.connected(principal.name);
    },
    onDisconnected({ principal }) {
      if (principal.kind === "device") presence.disconnected(principal.name);
    },
  };
}

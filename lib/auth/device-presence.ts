// Which device accounts are connected now and when each was last seen, kept by the
// hub from the broker's connect and disconnect events (no work per message) and
// read by the device-accounts page through the hub registry. Since the hub started:
// a device not seen since then shows as never seen.

/** `lastSeen`: now while connected; the moment its last connection closed otherwise. */
export type DevicePresence = { connected: boolean; lastSeen: number };

export type DevicePresenceTracker = {
  connected(name: string): void;
  disconnected(name: string): void;
  /** By lower-cased device name (account names are case-insensitive). */
  read(name: string): DevicePresence | null;
};

export function createDevicePresence(now: () => number = Date.now): DevicePresenceTracker {
  const byName = new Map<string, { connections: number; lastSeen: number }>();
  const key = (name: string) => name.toLowerCase();
  return {
    connected(name) {
      const entry = byName.get(key(name)) ?? { connections: 0, lastSeen: now() };
      entry.connections += 1;
      entry.lastSeen = now();
      byName.set(key(name), entry);
    },
    disconnected(name) {
      const entry = byName.get(key(name));
      if (!entry) return;
      entry.connections = Math.max(0, entry.connections - 1);
      entry.lastSeen = now();
    },
    read(name) {
      const entry = byName.get(key(name));
      if (!entry) return null;
      return { connected: entry.connections > 0, lastSeen: entry.connections > 0 ? now() : entry.lastSeen };
    },
  };
}

// What the hub last heard on each device's state and availability topic (review-10 F1),
// for a page that opens later. Zigbee2MQTT and Tasmota do not retain a switch's, light's
// or door sensor's state (Z2M's per-device `retain: false` default, Tasmota's
// PowerRetain 0), so the broker holds nothing to send a new page, and a page showed "–"
// until the device next spoke: for a door sensor, until the door moved. The hub hears
// every one of them (broker/device-registry.ts) and keeps the last here; the page is
// given them as it loads (app/layout.tsx), as it is given the latest stored readings.
//
// In memory only: what a device said before the hub stopped may be wrong after (the door
// may have moved meanwhile), and it comes back by itself — retained states from the
// broker's store as the registry subscribes (local-bus.ts), Zigbee2MQTT's cached states
// when it hears the hub's birth message — with no write per state change on the
// broker's thread.

/** A JSON state (Zigbee2MQTT sends every attribute at once) is small, but not that small: longer ones are not read (live-registry.ts) or kept. */
export const MAX_STATE_BYTES = 8 * 1024;

/** A topic's last payload as the hub heard it; `at`: epoch ms it arrived. */
export type LastState = { topic: string; payload: string; at: number };

export type LastStates = {
  /** Keeps `payload` as `topic`'s last, when it is text the page could read; an empty one (a cleared retained state) forgets it. */
  heard(topic: string, payload: Uint8Array, at: number): void;
  /** Forgets every topic not in `topics` (the devices that are gone). */
  keepOnly(topics: ReadonlySet<string>): void;
  /** Oldest first. */
  list(): LastState[];
};

const decoder = new TextDecoder("utf-8", { fatal: true });

export function createLastStates(): LastStates {
  const last = new Map<string, LastState>();
  return {
    heard(topic, payload, at) {
      if (payload.byteLength === 0 || payload.byteLength > MAX_STATE_BYTES) {
        last.delete(topic);
        return;
      }
      try {
        last.set(topic, { topic, payload: decoder.decode(payload), at });
      } catch {
        last.delete(topic);
      }
    },
    keepOnly(topics) {
      for (const topic of last.keys()) if (!topics.has(topic)) last.delete(topic);
    },
    // Oldest first, so a page applying them in turn ends on the latest where several topics
    // report one state (a Tasmota relay's POWER, RESULT and STATE, review-15 L3).
    list: () => [...last.values()].sort((a, b) => a.at - b.at),
  };
}

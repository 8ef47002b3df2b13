// What the recorder says about a home/<room>/<measurement> payload that is not a reading.
//  - On a sensor, it is a sensor gone wrong: a warning, at most once a minute per topic,
//    with the count held back since the last. Every measurement topic is a sensor, a new
//    one that sends text among them (review-13 F5), but for the shapes a gateway publishes
//    its own status in (lib/topics.ts isGatewayStatus) until they carry a number.
//  - On such a status topic, it is no sensor at all: OpenMQTTGateway and Theengs Gateway
//    publish under their default base topic home/ (`home/<gateway>/LWT` "online",
//    `home/<gateway>/SYStoMQTT` JSON every two minutes; review-10 F10), which the dashboard
//    does not show either. Said once per topic at info, then at debug.
// It decides from memory alone: the topics that carried a reading while the hub runs. It
// used to ask the history, forcing a write first (review-13 F4): a query and a commit per
// new topic, and while the database was away a write attempt and an error line per
// message, past the store's retry back-off. What it forgets (a restart, a home with more
// than MAX_KNOWN_SENSORS numeric topics) costs a gateway status topic that once carried a
// number a line at info instead of a warning.
import type { Logger } from "../lib/log";
import { isGatewayStatus } from "../lib/topics";

/** An unreadable payload is logged at most once per topic in this window. */
export const UNREADABLE_LOG_WINDOW_MS = 60_000;

/** How many topics each pace remembers; a device spraying random topics cannot grow them further. */
export const MAX_THROTTLED_TOPICS = 1024;

/** How many topics that carried a reading are remembered; past it, the earliest learnt is forgotten. */
export const MAX_KNOWN_SENSORS = 4096;

export type UnreadableLog = {
  /** `topic` carried a reading: from now on what it sends that is not one is a sensor gone wrong. */
  carried(topic: string): void;
  /** `topic` sent a payload that is not a reading. Decides at once, without I/O. */
  unreadable(topic: string, at: number, problem: { code: string; message: string }): void;
};

export function createUnreadableLog(log: Logger): UnreadableLog {
  const throttle = createLogThrottle(UNREADABLE_LOG_WINDOW_MS, MAX_THROTTLED_TOPICS);
  const sensors = createBoundedSet(MAX_KNOWN_SENSORS);
  const told = createBoundedSet(MAX_THROTTLED_TOPICS);
  return {
    carried: sensors.add,
    unreadable(topic, at, { code, message }) {
      const suppressed = throttle(topic, at);
      if (suppressed === null) return;
      if (sensors.has(topic) || !isGatewayStatus(topic.slice(topic.lastIndexOf("/") + 1))) {
        log.warn("unreadable reading", { topic, code, message, suppressed: suppressed || undefined });
      } else if (!told.has(topic)) {
        told.add(topic);
        log.info("a gateway's status, not a reading, and the topic never carried one: not a sensor", { topic, code, message });
      } else log.debug("not a reading", { topic, code });
    },
  };
}

/** A set of at most `max` strings; adding past it forgets the earliest added. */
function createBoundedSet(max: number): { add(key: string): void; has(key: string): boolean } {
  const keys = new Set<string>();
  return {
    add(key) {
      if (keys.has(key)) return;
      if (keys.size >= max) keys.delete(keys.values().next().value!);
      keys.add(key);
    },
    has: (key) => keys.has(key),
  };
}

/**
 * Paces a per-topic line: the first in each window is written, the rest are counted.
 * Returns null to stay quiet, else how many were held back since the last line, so a
 * device stuck publishing garbage cannot drown the log.
 */
export function createLogThrottle(windowMs: number, maxTopics: number): (topic: string, at: number) => number | null {
  // Insertion order is last-logged order: the first entry is the stalest.
  const lastLogged = new Map<string, { at: number; suppressed: number }>();
  return (topic, at) => {
    const entry = lastLogged.get(topic);
    if (entry !== undefined && at - entry.at < windowMs) {
      entry.suppressed++;
      return null;
    }
    lastLogged.delete(topic);
    if (lastLogged.size >= maxTopics) {
      // Full: forget the stalest topic, and with it its count of held-back lines.
      lastLogged.delete(lastLogged.keys().next().value!);
    }
    lastLogged.set(topic, { at, suppressed: 0 });
    return entry?.suppressed ?? 0;
  };
}

// What the recorder says about a home/<room>/<measurement> payload that is not a reading.
//  - On a topic whose history holds a reading, it is a sensor gone wrong: a warning, at
//    most once a minute per topic, with the count held back since the last.
//  - On a topic that never carried a reading, it is no sensor at all: OpenMQTTGateway and
//    Theengs Gateway publish their own status under their default base topic home/
//    (`home/<gateway>/LWT` "online", `home/<gateway>/SYStoMQTT` JSON every two minutes;
//    review-10 F10), which the dashboard does not show either. Said once per topic at
//    info, for someone wiring a new sensor that sends text, then at debug.
// The history is asked only when a line is due, so a topic spraying garbage costs one
// lookup a minute.
import type { Logger } from "../lib/log";

/** An unreadable payload is logged at most once per topic in this window. */
export const UNREADABLE_LOG_WINDOW_MS = 60_000;

/** How many topics each pace remembers; a device spraying random topics cannot grow them further. */
export const MAX_THROTTLED_TOPICS = 1024;

export type UnreadableLog = (topic: string, at: number, problem: { code: string; message: string }) => void;

export function createUnreadableLog(log: Logger, hasReadings: (topic: string) => Promise<boolean>): UnreadableLog {
  const throttle = createLogThrottle(UNREADABLE_LOG_WINDOW_MS, MAX_THROTTLED_TOPICS);
  const told = new Set<string>();
  return (topic, at, { code, message }) => {
    const suppressed = throttle(topic, at);
    if (suppressed === null) return;
    const write = (held: boolean) => {
      if (held) {
        log.warn("unreadable reading", { topic, code, message, suppressed: suppressed || undefined });
      } else if (!told.has(topic)) {
        if (told.size >= MAX_THROTTLED_TOPICS) told.clear();
        told.add(topic);
        log.info("not a reading, and the topic never carried one: not a sensor", { topic, code, message });
      } else log.debug("not a reading", { topic, code });
    };
    // A history that cannot say (its database away): a warning, as before.
    hasReadings(topic).then(write, () => write(true));
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

// A reading the upstream broker sends again because Hearth subscribed (upstream mode,
// issue 14; closing-note-5): the retained copy of a topic is its last state, not a new
// reading, and Hearth subscribes at every start, so recording it each time put one more
// row in history per start, at the time of the start.
//
// Which messages are such copies (createReplayWindow). On a new subscription the broker
// sends each matching topic's retained message, flagged retained: MQTT 3.1.1
// [MQTT-3.3.1-8]; MQTT 5 §3.3.1.3 ("These messages are sent with the RETAIN flag set to
// 1", Retain Handling 0 [MQTT-3.3.1-9]). In 3.1.1 nothing else is flagged [MQTT-3.3.1-9],
// so the flag says it. In MQTT 5 with Retain As Published (upstream-bus.ts) a live
// retained publish keeps its flag too [MQTT-3.3.1-13], so a flagged message is taken for
// a copy only while the copies may still come (review-7 F7): from the SUBSCRIBE until the
// first unflagged message after the SUBACK (Mosquitto sends a subscription's copies with
// its SUBACK, before later live messages), and at most REPLAY_WINDOW_MS after the SUBACK;
// and only a topic's first. A live retained reading within that window, on a topic with
// no retained copy yet and whose history already holds readings, is still taken for a
// copy: the recorder logs the copies it skips (`replayed-reading-held`: at info the count,
// one line per replay window; each topic at debug).
//
// Whether to record a copy (replayIsNew): it is recorded only when history does not hold it yet:
//  - a copy with a time of its own (`ts` in its payload): when history holds no reading
//    of the topic at or after that time: it was taken while Hearth was away, and the
//    broker did not queue it (QoS 0), so this copy is the only one Hearth will see;
//  - a copy without one (stamped on arrival): when history holds no reading of the topic
//    at all (the first start against a broker that already had it), so the topic's chart
//    starts from its last known value; otherwise its time is unknown, and any stored
//    reading of the topic may be this very message.
import type { HistoryStore } from "../lib/history/store";
import type { Reading } from "../lib/readings";

/** Later than any reading; a safe integer, as a history range must be. */
const END_OF_TIME = Number.MAX_SAFE_INTEGER;

/** MQTT 5: after the SUBACK, flagged messages are taken for copies at most this long (ms). */
export const REPLAY_WINDOW_MS = 10_000;

/** Whether to record `reading`, the retained copy of its topic delivered on subscribe at `receivedAt`. */
export async function replayIsNew(store: Pick<HistoryStore, "readRaw">, reading: Reading, receivedAt: number): Promise<boolean> {
  const ownTime = reading.ts !== receivedAt;
  const from = ownTime ? Math.round(reading.ts) : 0;
  const held = await store.readRaw({ topic: reading.topic, from, to: END_OF_TIME, limit: 1 });
  return held.length === 0;
}

export type ReplayWindow = {
  /** A SUBSCRIBE goes out: the broker sends the retained copies again. */
  subscribing(): void;
  /** Its SUBACK came, at `at` (ms). */
  subscribed(at: number): void;
  /** Whether the message that came at `at` is taken for a retained copy sent because Hearth subscribed. */
  replayed(message: { topic: string; retain: boolean }, at: number): boolean;
};

export function createReplayWindow(protocolVersion: 4 | 5): ReplayWindow {
  /** Topics whose copy has come since the SUBSCRIBE. */
  const copied = new Set<string>();
  let open = false;
  let subackAt: number | null = null;
  return {
    subscribing() {
      copied.clear();
      open = true;
      subackAt = null;
    },
    subscribed(at) {
      subackAt = at;
    },
    replayed({ topic, retain }, at) {
      if (protocolVersion === 5) {
        if (!open) return false;
        if (subackAt !== null && (!retain || at - subackAt >= REPLAY_WINDOW_MS)) {
          open = false;
          return false;
        }
      }
      if (!retain || copied.has(topic)) return false;
      copied.add(topic);
      return true;
    },
  };
}

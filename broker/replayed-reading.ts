// A reading the upstream broker sends again because Hearth subscribed (upstream mode,
// issue 14; closing-note-5): the retained copy of a topic is its last state, not a new
// reading, and Hearth subscribes at every start, so recording it each time put one more
// row in history per start, at the time of the start. It is recorded only when history
// does not hold it yet:
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

/** Whether to record `reading`, the retained copy of its topic delivered on subscribe at `receivedAt`. */
export async function replayIsNew(store: Pick<HistoryStore, "readRaw">, reading: Reading, receivedAt: number): Promise<boolean> {
  const ownTime = reading.ts !== receivedAt;
  const from = ownTime ? Math.round(reading.ts) : 0;
  const held = await store.readRaw({ topic: reading.topic, from, to: END_OF_TIME, limit: 1 });
  return held.length === 0;
}

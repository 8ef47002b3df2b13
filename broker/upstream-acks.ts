// The PUBACKs Hearth owes the upstream broker for QoS 1 messages whose effects (the
// recorder's history row) are still pending, on one connection (review-5 finding 1).
// mqtt.js reads the next packet only after its handleMessage callback, so waiting there
// for a commit stalled every later message, PINGRESP included. Instead the bus lets
// mqtt.js go on at once and sends these PUBACKs itself when the effects resolve:
//  - "acknowledged means stored": a PUBACK only once its effects resolved; one whose
//    effects failed is never acknowledged, and the broker sends it again on the next
//    connection [MQTT-4.4.0-1];
//  - in the order the PUBLISH packets came [MQTT-4.6.0-2]: a stored message behind one
//    still pending waits for it;
//  - tied to the connection they came on: a packet id means nothing on the next one,
//    where the broker resends what is unacknowledged with DUP set.
// Pure: the sender is given; the bus makes one of these per connection.
//
// A message left unacknowledged is sent again only on a new connection [MQTT-4.4.0-1],
// and until then holds one of the broker's in-flight slots (Mosquitto's
// max_inflight_messages, 20): twenty such stopped every later QoS 1 message for good
// (review-6 #1). So the bus reconnects after one (createRedelivery), backing off while
// they keep failing.
//
// The one exception to "acknowledged means stored" (review-7 F3): a message whose reading
// the database refused for its own data (reading-not-stored.ts refusedForGood) is
// acknowledged. No redelivery could store it, so keeping it unacknowledged only made the
// bus reconnect for it for ever and kept one of the broker's in-flight slots.
import { refusedForGood } from "./reading-not-stored";

export type OrderedAcks = {
  /** Whether acknowledging now would overtake a message still waiting (then `add` it, settled). */
  waiting(): boolean;
  /** Queues the PUBACK for `messageId`, sent when `effects` resolves and every earlier one is settled. */
  add(messageId: number, effects: Promise<void>): void;
};

/** "refused": refused for good, acknowledged all the same; "failed": left for the broker to send again. */
type Entry = { messageId: number; state: "pending" | "stored" | "refused" | "failed" };

/** `unstored`: a message's effects failed, but for a refusal for good, so it stays unacknowledged for the broker to send again. */
export function createOrderedAcks(sendPuback: (messageId: number) => void, unstored: () => void = () => {}): OrderedAcks {
  const queue: Entry[] = [];
  const flush = () => {
    while (queue.length > 0 && queue[0].state !== "pending") {
      const entry = queue.shift()!;
      if (entry.state !== "failed") sendPuback(entry.messageId);
    }
  };
  return {
    waiting: () => queue.length > 0,
    add(messageId, effects) {
      const entry: Entry = { messageId, state: "pending" };
      queue.push(entry);
      effects.then(
        () => {
          entry.state = "stored";
          flush();
        },
        (error: unknown) => {
          if (refusedForGood(error)) {
            entry.state = "refused";
          } else {
            entry.state = "failed";
            unstored();
          }
          flush();
        },
      );
    },
  };
}

/** The first reconnect for unstored messages waits this long (a moment for the database)… */
export const REDELIVER_FIRST_MS = 1_000;
/** …and each one after it that found them failing again twice as long, up to this. */
export const REDELIVER_MAX_MS = 60_000;

export type Redelivery = {
  /** A message was left unstored: `reconnect` runs after the back-off, once however many more fail meanwhile. */
  unstored(reconnect: () => void): void;
  /** A message was stored and acknowledged: the next failure waits the first delay again. */
  stored(): void;
  stop(): void;
};

export function createRedelivery(): Redelivery {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let attempt = 0;
  return {
    unstored(reconnect) {
      if (timer !== null) return;
      const delay = Math.min(REDELIVER_FIRST_MS * 2 ** attempt, REDELIVER_MAX_MS);
      attempt++;
      timer = setTimeout(() => {
        timer = null;
        reconnect();
      }, delay);
    },
    stored() {
      attempt = 0;
    },
    stop() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}

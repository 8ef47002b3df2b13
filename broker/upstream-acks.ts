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

export type OrderedAcks = {
  /** Whether acknowledging now would overtake a message still waiting (then `add` it, settled). */
  waiting(): boolean;
  /** Queues the PUBACK for `messageId`, sent when `effects` resolves and every earlier one is settled. */
  add(messageId: number, effects: Promise<void>): void;
};

type Entry = { messageId: number; state: "pending" | "stored" | "failed" };

export function createOrderedAcks(sendPuback: (messageId: number) => void): OrderedAcks {
  const queue: Entry[] = [];
  const flush = () => {
    while (queue.length > 0 && queue[0].state !== "pending") {
      const entry = queue.shift()!;
      if (entry.state === "stored") sendPuback(entry.messageId);
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
        () => {
          entry.state = "failed";
          flush();
        },
      );
    },
  };
}

// The Bus on Hearth's own broker (broker/mqtt): hub services subscribe and publish
// in-process, with no socket in between.
//
// The bus is one of the broker's hooks: `onPublished` sees every accepted message
// once, clients' and the hub's own, and hands it to the handlers whose filters match,
// here in JS (lib/topics.ts, the filters split once). What a handler returns is the
// message's durable effect outside the broker — the recorder's promise that the
// reading's history row has committed — and the broker sends the PUBACK / PUBREC only
// after it resolves ("acknowledged means stored", issue 12). The hub's own publishes
// go through broker.publish, which resolves once their durable effects have committed.
// As for a real client, `#` and `+/…` do not match `$SYS/…` (MQTT 3.1.1 §4.7.2), and a
// new subscription first gets the matching retained messages [MQTT-3.3.1-6] — those the
// broker restored from its store at start too — flagged `replayed`, as upstream-bus.ts's
// services get them from the user's broker: without them the device registry forgot
// every discovered device at each restart (review-10 F15).
import { createLogger, type Logger } from "../lib/log";
import { checkTopicName } from "../lib/topics";
import type { Bus, BusClock, BusHandler, PublishOptions } from "./bus";
import { createBusHandlers } from "./bus-handlers";
import { refusedForGood } from "./reading-not-stored";
import type { Broker } from "./mqtt/broker";
import type { BrokerHook, PublishedMessage } from "./mqtt/hooks";

export type LocalBus = Bus &
  Required<Pick<BrokerHook<unknown>, "onPublished" | "refusedForGood">> & {
    /** The broker this bus publishes through; the bus is among its hooks. */
    attach(broker: Pick<Broker, "publish" | "retained">): void;
  };

export function createLocalBus(log: Logger = createLogger("bus"), { now = Date.now }: BusClock = {}): LocalBus {
  const handlers = createBusHandlers(log, now);
  let broker: Pick<Broker, "publish" | "retained"> | null = null;

  const onPublished = (published: PublishedMessage): Promise<void> | undefined => handlers.dispatch(published);

  return {
    onPublished,
    // A reading the history database refused for its own data: a 3.1.1 device is acknowledged rather than made to resend it for ever (ack-gate.ts).
    refusedForGood,

    attach(b) {
      broker = b;
    },

    async subscribe(filter: string, handler: BusHandler) {
      const unsubscribe = handlers.add(filter, handler);
      // Not attached yet: the broker holds nothing a service could miss.
      if (broker !== null) await handlers.replay(filter, handler, broker.retained(filter));
      return unsubscribe;
    },

    async publish(topic: string, payload: string | Buffer, options: PublishOptions = {}) {
      const check = checkTopicName(topic);
      if (!check.ok) throw new Error(`bad topic ${JSON.stringify(topic)}: ${check.reason}`);
      if (broker === null) throw new Error("the local bus is not attached to a broker yet");
      await broker.publish({ topic, payload, qos: options.qos ?? 0, retain: options.retain ?? false });
    },
  };
}

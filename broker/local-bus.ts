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
// As for a real client, `#` and `+/…` do not match `$SYS/…` (MQTT 3.1.1 §4.7.2).
import { createBusMessage } from "../lib/bus-message";
import { createLogger, type Logger } from "../lib/log";
import { checkTopicFilter, checkTopicName, compileTopicFilter, topicLevels, type CompiledFilter } from "../lib/topics";
import type { Bus, BusClock, BusHandler, BusMessage, PublishOptions } from "./bus";
import type { Broker } from "./mqtt/broker";
import type { BrokerHook, PublishedMessage } from "./mqtt/hooks";

type Subscription = { filter: string; matches: CompiledFilter; handler: BusHandler };

export type LocalBus = Bus &
  Required<Pick<BrokerHook<unknown>, "onPublished">> & {
    /** The broker this bus publishes through; the bus is among its hooks. */
    attach(broker: Pick<Broker, "publish">): void;
  };

export function createLocalBus(log: Logger = createLogger("bus"), { now = Date.now }: BusClock = {}): LocalBus {
  // Replaced, never changed in place: a handler that unsubscribes (or subscribes)
  // while a message is being handed out does not disturb that loop.
  let subscriptions: readonly Subscription[] = [];
  let broker: Pick<Broker, "publish"> | null = null;

  const onPublished = (published: PublishedMessage): Promise<void> | undefined => {
    const current = subscriptions;
    if (current.length === 0) return;
    const { topic } = published;
    const levels = topicLevels(topic);
    let message: BusMessage | null = null;
    let effects: Promise<void>[] | null = null;
    for (const subscription of current) {
      if (!subscription.matches(topic, levels)) continue;
      message ??= createBusMessage({ topic, payload: published.payload, retain: published.retain, qos: published.qos, receivedAt: now() });
      try {
        const effect = subscription.handler(message);
        if (effect) (effects ??= []).push(effect);
      } catch (error) {
        // A throwing handler is a bug in one service; it must not stall delivery to everyone else.
        log.error("handler failed", { filter: subscription.filter, topic, error: (error as Error).message });
      }
    }
    if (effects === null) return;
    return effects.length === 1 ? effects[0] : Promise.all(effects).then(() => {});
  };

  return {
    onPublished,

    attach(b) {
      broker = b;
    },

    async subscribe(filter: string, handler: BusHandler) {
      const check = checkTopicFilter(filter);
      if (!check.ok) throw new Error(`bad topic filter ${JSON.stringify(filter)}: ${check.reason}`);
      const subscription: Subscription = { filter, matches: compileTopicFilter(filter), handler };
      subscriptions = [...subscriptions, subscription];
      return async () => {
        subscriptions = subscriptions.filter((s) => s !== subscription);
      };
    },

    async publish(topic: string, payload: string | Buffer, options: PublishOptions = {}) {
      const check = checkTopicName(topic);
      if (!check.ok) throw new Error(`bad topic ${JSON.stringify(topic)}: ${check.reason}`);
      if (broker === null) throw new Error("the local bus is not attached to a broker yet");
      await broker.publish({ topic, payload, qos: options.qos ?? 0, retain: options.retain ?? false });
    },
  };
}

// The Bus on the embedded broker: hub services subscribe and publish in-process,
// through aedes, with no socket in between.
//
// One in-process aedes subscription (`#`) per bus, however many services subscribe:
// the bus hands each message to the handlers whose filters match, here in JS
// (lib/topics.ts, the filters split once). Every aedes subscription is a listener of
// its own in mqemitter, each with its own callback round per message; the hub's four
// services on `#`/`home/#` made five where plain aedes has one (bench/README.md).
// As for a real client, `#` and `+/…` do not match `$SYS/…` (MQTT 3.1.1 §4.7.2).
import type { Aedes, AedesPublishPacket } from "aedes";
import type { Bus, BusClock, BusHandler, BusMessage, PublishOptions } from "./bus";
import { createBusMessage } from "../lib/bus-message";
import { checkTopicFilter, checkTopicName, compileTopicFilter, topicLevels, type CompiledFilter } from "../lib/topics";
import { createLogger, type Logger } from "../lib/log";

type Subscription = { filter: string; matches: CompiledFilter; handler: BusHandler };

export function createLocalBus(broker: Aedes, log: Logger = createLogger("bus"), { now = Date.now }: BusClock = {}): Bus {
  // Replaced, never changed in place: a handler that unsubscribes (or subscribes)
  // while a message is being handed out does not disturb that loop.
  let subscriptions: readonly Subscription[] = [];
  // Made on the first subscribe and kept for the bus's life; it costs nothing while
  // no handler is left (the broker drops its listeners when it closes).
  let tap: Promise<void> | null = null;

  // > 0 while the tap is reporting a message done to aedes's emitter (see below).
  let completing = 0;

  const deliver = (packet: AedesPublishPacket, done: () => void) => {
    dispatch(packet);
    // mqemitter starts the next queued message (past aedes's `concurrency`) from inside
    // this done(); finishing that one at once too would nest a stack frame per queued
    // message until "Maximum call stack size exceeded" (mcollina/mqemitter#204). A
    // message started from inside a completion finishes on the next tick instead; the
    // usual case, nothing queued, still finishes at once.
    if (completing > 0) {
      process.nextTick(done);
      return;
    }
    completing++;
    try {
      done();
    } finally {
      completing--;
    }
  };

  const dispatch = (packet: AedesPublishPacket) => {
    const current = subscriptions;
    const { topic } = packet;
    const levels = topicLevels(topic);
    let message: BusMessage | null = null;
    for (const subscription of current) {
      if (!subscription.matches(topic, levels)) continue;
      message ??= createBusMessage({
        topic,
        payload: typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload,
        retain: packet.retain,
        qos: packet.qos,
        receivedAt: now(),
      });
      try {
        subscription.handler(message);
      } catch (error) {
        // A throwing handler is a bug in one service; it must not stall delivery to everyone else.
        log.error("handler failed", { filter: subscription.filter, topic, error: (error as Error).message });
      }
    }
  };

  return {
    async subscribe(filter: string, handler: BusHandler) {
      const check = checkTopicFilter(filter);
      if (!check.ok) throw new Error(`bad topic filter ${JSON.stringify(filter)}: ${check.reason}`);
      tap ??= new Promise<void>((resolve) => broker.subscribe("#", deliver, () => resolve()));
      await tap;
      const subscription: Subscription = { filter, matches: compileTopicFilter(filter), handler };
      subscriptions = [...subscriptions, subscription];
      return async () => {
        subscriptions = subscriptions.filter((s) => s !== subscription);
      };
    },

    publish(topic: string, payload: string | Buffer, options: PublishOptions = {}) {
      const check = checkTopicName(topic);
      if (!check.ok) return Promise.reject(new Error(`bad topic ${JSON.stringify(topic)}: ${check.reason}`));
      return new Promise((resolve, reject) => {
        broker.publish(
          {
            cmd: "publish",
            topic,
            payload: typeof payload === "string" ? Buffer.from(payload) : payload,
            qos: options.qos ?? 0,
            retain: options.retain ?? false,
            dup: false,
          },
          (error) => (error ? reject(error) : resolve()),
        );
      });
    },
  };
}

// The handlers of a Bus and how a message reaches them, shared by both buses
// (local-bus.ts on Hearth's own broker, upstream-bus.ts on the user's broker): each
// filter compiled once (lib/topics.ts), the message parsed once for every handler that
// matches (lib/bus-message.ts), their effects gathered into the one promise the
// acknowledgement waits for, and one service's throwing handler kept from the others.
import type { AckSlot } from "../lib/ack-slot";
import { createBusMessage } from "../lib/bus-message";
import type { Logger } from "../lib/log";
import { checkTopicFilter, compileTopicFilter, topicLevels, type CompiledFilter } from "../lib/topics";
import type { BusHandler, BusMessage } from "./bus";
import { refusedForGood } from "./reading-not-stored";

type Subscription = { filter: string; matches: CompiledFilter; handler: BusHandler };

export type DeliveredMessage = { topic: string; payload: Buffer; retain: boolean; qos: 0 | 1 | 2; replayed?: boolean; ackSlot?: AckSlot };

export type BusHandlers = {
  /** Throws on a bad filter; returns the unsubscribe function. */
  add(filter: string, handler: BusHandler): () => Promise<void>;
  /** The handlers' effects as one promise; undefined when none returned one. */
  dispatch(message: DeliveredMessage): Promise<void> | undefined;
  /**
   * Retained copies for one new handler [MQTT-3.3.1-6], flagged retained [MQTT-3.3.1-8]
   * and `replayed`; resolves once their effects have settled (a failure is logged: the
   * copy stays retained, nothing waits on its acknowledgement).
   */
  replay(filter: string, handler: BusHandler, messages: readonly (Pick<DeliveredMessage, "topic" | "payload" | "qos"> & { receivedAt?: number })[]): Promise<void>;
};

export function createBusHandlers(log: Logger, now: () => number): BusHandlers {
  // Replaced, never changed in place: a handler that unsubscribes (or subscribes)
  // while a message is being handed out does not disturb that loop.
  let subscriptions: readonly Subscription[] = [];
  return {
    add(filter, handler) {
      const check = checkTopicFilter(filter);
      if (!check.ok) throw new Error(`bad topic filter ${JSON.stringify(filter)}: ${check.reason}`);
      const subscription: Subscription = { filter, matches: compileTopicFilter(filter), handler };
      subscriptions = [...subscriptions, subscription];
      return async () => {
        subscriptions = subscriptions.filter((s) => s !== subscription);
      };
    },

    dispatch({ topic, payload, retain, qos, replayed, ackSlot }) {
      const current = subscriptions;
      if (current.length === 0) return;
      const levels = topicLevels(topic);
      let message: BusMessage | null = null;
      // The first effect alone needs no array (the usual case: the recorder's, issue 12).
      let first: Promise<void> | undefined;
      let more: Promise<void>[] | null = null;
      for (const subscription of current) {
        if (!subscription.matches(topic, levels)) continue;
        message ??= createBusMessage({ topic, payload, retain, qos, receivedAt: now(), replayed, ackSlot });
        try {
          const effect = subscription.handler(message);
          if (!effect) continue;
          if (first === undefined) first = effect;
          else (more ??= [first]).push(effect);
        } catch (error) {
          // A throwing handler is a bug in one service; it must not stall delivery to everyone else.
          log.error("handler failed", { filter: subscription.filter, topic, error: (error as Error).message });
        }
      }
      return more === null ? first : allEffects(more);
    },

    async replay(filter, handler, messages) {
      const effects: Promise<void>[] = [];
      for (const { topic, payload, qos, receivedAt } of messages) {
        try {
          // When the broker took it, if it says: a dead sensor's retained reading replayed at a
          // start is not a new reading (review-11: recorded as fresh once history was pruned).
          const effect = handler(createBusMessage({ topic, payload, retain: true, qos, receivedAt: receivedAt ?? now(), replayed: true }));
          if (effect) effects.push(effect.catch((error: Error) => log.warn("a retained copy's effect failed", { code: "replay-failed", filter, topic, error: error.message })));
        } catch (error) {
          log.error("handler failed", { filter, topic, error: (error as Error).message });
        }
      }
      await Promise.all(effects);
    },
  };
}

/**
 * Several effects as one: settled when all are, failed with a failure a retry might mend
 * if there is one, so a reading refused for good (acknowledged upstream, upstream-acks.ts)
 * never hides another service's effect that a redelivery would store.
 */
async function allEffects(effects: Promise<void>[]): Promise<void> {
  const failures: unknown[] = [];
  for (const result of await Promise.allSettled(effects)) if (result.status === "rejected") failures.push(result.reason);
  if (failures.length > 0) throw failures.find((error) => !refusedForGood(error)) ?? failures[0];
}

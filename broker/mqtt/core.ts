// The broker's state in one place — sessions, connections, the subscription and
// retained tries, the hooks, the store, the limits and the counters — shared by the
// handlers (handlers/*.ts), routing (router.ts) and the session lifecycle
// (lifecycle.ts). broker.ts builds it and puts the public API in front.
import type { AckSlot } from "../../lib/ack-slot";
import type { Logger } from "../../lib/log";
import { RetainedTrie, SubscriptionTrie } from "../../lib/topic-trie";
import type { Client } from "./client";
import type { BrokerHook, PublishedMessage } from "./hooks";
import { AckGate } from "./ack-gate";
import { OwedBudget } from "./owed";
import { Router } from "./router";
import type { Session } from "./session";
import type { BrokerStore, StoredMessage, StoredSubscription } from "./store";
import { isExpired } from "./outgoing";
import { NEVER_EXPIRES } from "./reason-codes";

export type BrokerLimits = {
  /** Largest packet accepted, and told to MQTT 5 clients as Maximum Packet Size. */
  maxPacketBytes: number;
  /** Per session: queued messages beyond this are dropped (QoS 0 first, then the oldest). */
  maxQueuedMessages: number;
  /** QoS 1/2 PUBLISHes an MQTT 5 client may have unacknowledged towards the broker (Receive Maximum). */
  receiveMaximum: number;
  /**
   * QoS 1/2 PUBLISHes the broker has unacknowledged towards a 3.1.1 client, which has no
   * Receive Maximum (MQTT 5 clients set theirs at CONNECT); past it they queue, under
   * maxQueuedMessages. Mosquitto's max_inflight_messages, 20 by default (review-5 #12).
   */
  maxInflightMessages: number;
  /** Topic aliases a client may use towards the broker (MQTT 5). */
  topicAliasMaximum: number;
  /** 0: no limit. MQTT 5 clients asking for more (or for none) get Server Keep Alive. */
  maxKeepAliveSeconds: number;
  /** From a socket's accept to its CONNECT. */
  connectTimeoutMs: number;
  /** From CONNECT to the authenticate hooks' answer (scrypt may queue behind others' on a busy pool). */
  authTimeoutMs: number;
  maxSessionExpirySeconds: number;
  /** Bytes waiting in a socket's buffer past which deliveries queue (QoS 1/2) or drop (QoS 0) instead. */
  writeBufferBytes: number;
  /**
   * Packets of one connection handled per read before the other connections get their
   * turn (fair-reads.ts; Mosquitto: one). So a burst is read in step with the PUBACKs of
   * its subscribers, which refill their in-flight windows, instead of all of it at once.
   */
  packetsPerTurn: number;
  /**
   * All sessions together: retained messages new subscriptions are owed and not yet sent
   * (owed.ts, about 13 bytes each, measured); past it a SUBSCRIBE's retained messages that do not fit
   * are not sent (outgoing.ts deliverRetained, review-11 F5).
   */
  maxOwedRetained: number;
};

export const DEFAULT_LIMITS: BrokerLimits = {
  maxPacketBytes: 2 * 1024 * 1024,
  maxQueuedMessages: 1000,
  receiveMaximum: 256,
  // Not Mosquitto's 20: a window that small holds a QoS 1 stream to one PUBACK round trip
  // per 20 messages. A subscriber that never acknowledges costs its session 1000 in flight +
  // 1000 queued messages (and stored rows), not 65,535 + 1000. (A burst once overflowed
  // 256 and then 1000 because it was routed all in one turn, before any PUBACK was read:
  // packetsPerTurn, fair-reads.ts, bench/README.md "Issue 12, fifth pass".)
  // The hub takes both from its config (limits.maxInflightMessages / maxQueuedMessages).
  maxInflightMessages: 1000,
  topicAliasMaximum: 32,
  maxKeepAliveSeconds: 0,
  connectTimeoutMs: 10_000,
  // Generous: an honest device waits behind whatever hashes the pool is doing; a refusal
  // (or CONNACK) follows the answer, and the throttle keeps a flood of guesses bounded.
  authTimeoutMs: 30_000,
  maxSessionExpirySeconds: NEVER_EXPIRES,
  writeBufferBytes: 1024 * 1024,
  packetsPerTurn: 64,
  maxOwedRetained: 500_000,
};

export type BrokerStats = {
  startedAt: number;
  connections: number;
  sessions: number;
  retained: number;
  subscriptions: number;
  messagesReceived: number;
  messagesSent: number;
  /** Retained messages new subscriptions are owed and not yet sent, all sessions together (limits.maxOwedRetained). */
  owedRetained: number;
  /** Messages held for sessions: queued and in flight, all sessions together (with `owedRetained`, `$SYS/broker/store/messages/count`). */
  queued: number;
  /** Deliveries not made, by cause: queue full (a retained one past the owed budget too), too large for the client, expired. */
  dropped: { queueFull: number; tooLarge: number; expired: number };
};

export class Core<P> {
  readonly sessions = new Map<string, Session<Client<P>>>();
  /** Every open connection, connected or still at CONNECT. */
  readonly clients = new Set<Client<P>>();
  readonly subscriptions = new SubscriptionTrie<Session<Client<P>>, StoredSubscription>();
  readonly retained = new RetainedTrie<StoredMessage>();
  readonly router: Router<P>;
  readonly acks: AckGate;
  /** Retained messages owed to all sessions (limits.maxOwedRetained). */
  readonly owedBudget: OwedBudget;
  readonly counters = { messagesReceived: 0, messagesSent: 0, queueFull: 0, tooLarge: 0, expired: 0 };
  readonly startedAt = Date.now();
  readonly authenticator: BrokerHook<P> | undefined;
  readonly publishAuthorizers: BrokerHook<P>[];
  readonly subscribeAuthorizers: BrokerHook<P>[];
  readonly publishedHooks: BrokerHook<P>[];
  private readonly ownerHook: BrokerHook<P> | undefined;
  /** hooks.ts principalNow: a will is authorised again when it is published. */
  readonly rightsHook: BrokerHook<P> | undefined;
  closing = false;
  private lastConnectionId = 0;
  /** Called on every client connect and disconnect ($SYS). */
  onClientEvent: ((event: "new" | "disconnect", clientId: string) => void) | null = null;

  constructor(
    readonly store: BrokerStore,
    readonly hooks: readonly BrokerHook<P>[],
    readonly limits: BrokerLimits,
    readonly log: Logger,
  ) {
    this.router = new Router(this);
    this.owedBudget = new OwedBudget(limits.maxOwedRetained);
    this.acks = new AckGate(store, log, (error) => hooks.some((h) => h.refusedForGood?.(error) === true));
    this.authenticator = hooks.find((h) => h.authenticate);
    this.publishAuthorizers = hooks.filter((h) => h.authorizePublish);
    this.subscribeAuthorizers = hooks.filter((h) => h.authorizeSubscribe);
    this.publishedHooks = hooks.filter((h) => h.onPublished);
    this.ownerHook = hooks.find((h) => h.sessionOwner);
    this.rightsHook = hooks.find((h) => h.principalNow);
  }

  /** Who a principal is as a session's owner (hooks.ts sessionOwner); null without such a hook. */
  ownerOf(principal: P): string | null {
    return this.ownerHook ? this.ownerHook.sessionOwner!(principal) : null;
  }

  /** Whether another owner may start `owner`'s session afresh (hooks.ts ownerYields). */
  ownerYields(owner: string): boolean {
    return this.ownerHook?.ownerYields?.(owner) ?? false;
  }

  nextConnectionId(): number {
    return ++this.lastConnectionId;
  }

  /** Sessions the last accepted message was routed to (0: PUBACK / PUBREC may say 0x10). */
  lastRouted = 0;

  /**
   * An accepted message: the retained store, every matching session, the onPublished
   * hooks. Returns the hooks' promises (its durable effects outside the broker), or null;
   * `ackSlot`: where hooks may report a failed effect instead (lib/ack-slot.ts), for a
   * message whose acknowledgement reads it.
   */
  accept(message: StoredMessage, publisher: Client<P> | null, ackSlot?: AckSlot): Promise<void>[] | null {
    if (message.retain) this.retain(message);
    const routed = this.router.route(message, publisher?.session ?? null);
    const effects = this.runPublishedHooks(message, publisher?.clientId ?? null, ackSlot);
    // Set last: a hook that publishes in turn (the hub's own services) accepts a message of its own.
    this.lastRouted = routed;
    return effects;
  }

  /**
   * The retained messages a new subscription to `filter` gets [MQTT-3.3.1-6]: a client's
   * (handlers/subscribe.ts) and a hub service's on the local bus alike. [MQTT-3.3.2-5] an
   * expired one is not sent, and is gone.
   */
  matchRetained(filter: string, now: number, visit: (message: StoredMessage) => void): void {
    const expired: string[] = [];
    this.retained.match(filter, (message) => {
      if (isExpired(message, now)) expired.push(message.topic);
      else visit(message);
    });
    for (const topic of expired) {
      this.retained.delete(topic);
      this.store.deleteRetained(topic);
    }
  }

  /** [MQTT-3.3.1-5] a retained message replaces the topic's; [MQTT-3.3.1-10] an empty one clears it. */
  private retain(message: StoredMessage): void {
    // $SYS statistics are the broker's own and stale after a restart: kept in memory only.
    const durable = !message.topic.startsWith("$SYS/");
    if (message.payload.length === 0) {
      if (this.retained.delete(message.topic) && durable) this.store.deleteRetained(message.topic);
      return;
    }
    this.retained.set(message.topic, message);
    if (durable) this.store.setRetained(message);
  }

  private runPublishedHooks(message: StoredMessage, clientId: string | null, ackSlot: AckSlot | undefined): Promise<void>[] | null {
    if (this.publishedHooks.length === 0) return null;
    const published: PublishedMessage = {
      topic: message.topic,
      payload: message.payload,
      qos: message.qos,
      retain: message.retain,
      properties: message.properties,
      clientId,
      ackSlot,
    };
    let promises: Promise<void>[] | null = null;
    for (const hook of this.publishedHooks) {
      try {
        const result = hook.onPublished!(published);
        if (result) (promises ??= []).push(result);
      } catch (error) {
        this.log.error("an onPublished hook failed", { code: "hook-failed", topic: message.topic, error: (error as Error).message });
        (promises ??= []).push(Promise.reject(error));
      }
    }
    return promises;
  }

  connectedCount(): number {
    let n = 0;
    for (const client of this.clients) if (client.state === "connected") n++;
    return n;
  }

  /** O(sessions): asked at each $SYS interval, not per message. */
  private queuedCount(): number {
    let n = 0;
    for (const session of this.sessions.values()) n += session.queue.length + session.inflight.size;
    return n;
  }

  stats(): BrokerStats {
    const c = this.counters;
    return {
      startedAt: this.startedAt,
      connections: this.connectedCount(),
      sessions: this.sessions.size,
      retained: this.retained.size,
      subscriptions: this.subscriptions.size,
      messagesReceived: c.messagesReceived,
      messagesSent: c.messagesSent,
      owedRetained: this.owedBudget.owed,
      queued: this.queuedCount(),
      dropped: { queueFull: c.queueFull, tooLarge: c.tooLarge, expired: c.expired },
    };
  }
}

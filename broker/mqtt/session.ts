// One session (MQTT 5.0 §4.1): what outlives a connection — subscriptions, the
// outgoing queue and in-flight window, inbound QoS 2 packet ids, the will and the
// expiry. The connection (client.ts) comes and goes; the broker keeps the sessions.
import type { QoS } from "mqtt-packet";
import type { PendingAck } from "./ack-gate";
import type { OutgoingMessage, StoredMessage, StoredSubscription, StoredWill } from "./store";

/** A copy of a message for one session: a store.ts OutgoingMessage, widened to QoS 0 (never stored). */
export type Delivery = {
  seq: number;
  message: StoredMessage;
  qos: QoS;
  packetId: number | null;
  state: OutgoingMessage["state"];
  subscriptionIds: number[];
};

/** The retained messages one subscription is owed and not sent yet: a walk of the retained store (core.ts retainedFor). */
export type OwedRetained = {
  filter: string;
  messages: Iterator<StoredMessage, void, undefined>;
  /** The subscription's granted QoS: each copy goes at min(published, granted) [MQTT-3.8.4-6]. */
  qos: QoS;
  subscriptionIds: number[];
};

export class Session<C> {
  protocolVersion: 3 | 4 | 5;
  /** Seconds; 0 ends the session with its connection, NEVER_EXPIRES keeps it. */
  expiryInterval = 0;
  disconnectedAt: number | null = null;
  will: StoredWill | null = null;
  /** Who made it (store.ts StoredSession.owner); only they resume it. */
  owner: string | null = null;
  /**
   * The principal of its connection, or of its last one in this process (not stored): its
   * will is authorised again for it when published (will-rights.ts). The broker's P.
   */
  principal: unknown = undefined;
  /** Has a row in the store (persistent, or a will to survive a crash). */
  stored = false;
  readonly subscriptions = new Map<string, StoredSubscription>();
  /** Not yet sent, oldest first. */
  readonly queue: Delivery[] = [];
  private queuedQos0 = 0;
  /**
   * Retained messages owed to new subscriptions and not sent yet, by filter, oldest first:
   * they go before the queue, as the socket drains and the window allows, and count
   * against no queue limit (review 10, F8). Each is a walk of the retained store pulled
   * one message at a time, not a copy per message (review 11, F5): a session owes its
   * retained sets in a few hundred bytes per subscription, whether it reads or not.
   */
  private readonly owed = new Map<string, OwedRetained>();
  /** The next retained copy, pulled from the oldest walk and not sent yet, and that walk's filter. */
  private owedHead: Delivery | null = null;
  private owedHeadFilter = "";
  /** Whether the last takeNext came from the owed retained messages (putBack returns it there). */
  private tookOwed = false;
  /** Sent, waiting for PUBACK / PUBREC / PUBCOMP, by packet id. */
  readonly inflight = new Map<number, Delivery>();
  /** Inbound packet ids: QoS 2 until PUBREL [MQTT-4.3.3-…]; QoS 1 of persistent sessions (store.ts addInbound). */
  readonly inbound = new Map<number, 1 | 2>();
  /** The acknowledgement of each inbound id whose effects are still being stored: a resend waits on it (review-5 #3). */
  readonly inboundAcks = new Map<number, PendingAck>();
  connection: C | null = null;
  expiryTimer: NodeJS.Timeout | null = null;
  willTimer: NodeJS.Timeout | null = null;
  /** Messages dropped because the queue was full, for the log and stats. */
  dropped = 0;
  /** router.ts: the message being routed when this session last matched, and its match record. */
  routeMark = 0;
  routeIndex = 0;
  private lastPacketId = 0;
  private lastSeq = 0;

  constructor(
    readonly clientId: string,
    protocolVersion: 3 | 4 | 5,
  ) {
    this.protocolVersion = protocolVersion;
  }

  /** A session whose state outlives its connection (needs the store). */
  get persistent(): boolean {
    return this.expiryInterval > 0;
  }

  nextSeq(): number {
    return ++this.lastSeq;
  }

  /** After a restore: continue after the highest seq stored. */
  seenSeq(seq: number): void {
    if (seq > this.lastSeq) this.lastSeq = seq;
  }

  /** A packet id not in flight [MQTT-2.2.1-3], or null when all 65535 are. */
  nextPacketId(): number | null {
    for (let tries = 0; tries < 65535; tries++) {
      this.lastPacketId = this.lastPacketId >= 65535 ? 1 : this.lastPacketId + 1;
      if (!this.inflight.has(this.lastPacketId)) return this.lastPacketId;
    }
    return null;
  }

  /**
   * Queues a delivery under `limit`: when full, a queued QoS 0 goes first, then the
   * oldest (Mosquitto's max_queued_messages). Returns what was dropped, if anything.
   */
  enqueue(delivery: Delivery, limit: number): Delivery | null {
    let dropped: Delivery | null = null;
    if (this.queue.length >= limit) {
      if (delivery.qos === 0 && this.queuedQos0 === 0) dropped = delivery;
      else dropped = this.removeAt(this.queuedQos0 > 0 ? this.queue.findIndex((d) => d.qos === 0) : 0);
      this.dropped++;
      if (dropped === delivery) return dropped;
    }
    this.queue.push(delivery);
    if (delivery.qos === 0) this.queuedQos0++;
    return dropped;
  }

  /**
   * Something may wait to be sent: a retained message owed, or the queue. A walk is not
   * pulled to answer (takeNext finds it done): while one is owed, pump has stopped for the
   * socket or the window, and their drain or PUBACK pumps again.
   */
  hasPending(): boolean {
    return this.owedHead !== null || this.owed.size > 0 || this.queue.length > 0;
  }

  /** Whether what goes next is QoS 1/2 and so needs room in the in-flight window (a walk's next copy: its subscription was granted QoS 1/2). */
  nextNeedsWindow(): boolean {
    if (this.owedHead !== null) return this.owedHead.qos > 0;
    const walk = this.owed.values().next();
    if (!walk.done) return walk.value.qos > 0;
    return this.queue.length > 0 && this.queue[0].qos > 0;
  }

  /**
   * The retained messages a subscription to `filter` is owed, behind those owed already. A
   * filter subscribed again while its walk is not done starts it again (with Retain
   * Handling 0 the retained messages are re-sent [MQTT-3.8.4-3]): one walk per filter, so
   * a session owes at most one per subscription.
   */
  oweRetained(filter: string, owed: OwedRetained): void {
    this.forgetRetained(filter);
    this.owed.set(filter, owed);
  }

  /** `filter` is unsubscribed (or no longer allowed): the retained messages not sent yet are no longer owed [MQTT-3.10.4-2]. */
  forgetRetained(filter: string): void {
    this.owed.delete(filter);
    if (this.owedHead !== null && this.owedHeadFilter === filter) this.owedHead = null;
  }

  /**
   * What goes next, removed: an owed retained message first, pulled from its walk now, so
   * it goes as the retained store holds it at this moment; then the queue.
   */
  takeNext(): Delivery | undefined {
    const owed = this.pullOwed();
    this.tookOwed = owed !== undefined;
    if (owed === undefined) return this.dequeue();
    this.owedHead = null;
    return owed;
  }

  /** Puts back what takeNext gave (it could not be sent yet). */
  putBack(delivery: Delivery): void {
    if (this.tookOwed) this.owedHead = delivery;
    else this.requeue(delivery);
  }

  /** The next owed retained copy, pulled from the oldest walk if need be (a finished walk goes). */
  private pullOwed(): Delivery | undefined {
    while (this.owedHead === null) {
      const walk = this.owed.values().next();
      if (walk.done) return undefined;
      const { filter, messages, qos: granted, subscriptionIds } = walk.value;
      const next = messages.next();
      if (next.done) {
        this.owed.delete(filter);
        continue;
      }
      const message = next.value;
      const qos = (message.qos < granted ? message.qos : granted) as QoS;
      this.owedHead = { seq: qos === 0 ? 0 : this.nextSeq(), message, qos, packetId: null, state: "queued", subscriptionIds };
      this.owedHeadFilter = filter;
    }
    return this.owedHead;
  }

  /** The next queued delivery, removed. */
  dequeue(): Delivery | undefined {
    const next = this.queue.shift();
    if (next?.qos === 0) this.queuedQos0--;
    return next;
  }

  /** Puts a delivery back at the head (it could not be sent yet). */
  requeue(delivery: Delivery): void {
    this.queue.unshift(delivery);
    if (delivery.qos === 0) this.queuedQos0++;
  }

  /** Drops every queued QoS 0 message (the connection is gone: they are never kept). */
  dropQos0(): void {
    if (this.queuedQos0 === 0) return;
    const kept = this.queue.filter((d) => d.qos !== 0);
    this.queue.length = 0;
    this.queue.push(...kept);
    this.queuedQos0 = 0;
  }

  /** Removes queued and sent (not yet acknowledged) copies that `drop` picks; returns them. */
  dropDeliveries(drop: (d: Delivery) => boolean): Delivery[] {
    const removed: Delivery[] = [];
    const kept: Delivery[] = [];
    if (this.owedHead !== null && drop(this.owedHead)) {
      removed.push(this.owedHead);
      this.owedHead = null;
    }
    for (const d of this.queue) (drop(d) ? removed : kept).push(d);
    this.queue.length = 0;
    this.queue.push(...kept);
    this.queuedQos0 = kept.filter((d) => d.qos === 0).length;
    // A released QoS 2 copy is past its payload: only PUBREL is left to resend, so it stays.
    for (const [packetId, d] of this.inflight) {
      if (d.state === "sent" && drop(d)) {
        this.inflight.delete(packetId);
        removed.push(d);
      }
    }
    return removed;
  }

  clearTimers(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    if (this.willTimer) clearTimeout(this.willTimer);
    this.expiryTimer = null;
    this.willTimer = null;
  }

  private removeAt(index: number): Delivery {
    const [removed] = this.queue.splice(index, 1);
    if (removed.qos === 0) this.queuedQos0--;
    return removed;
  }
}

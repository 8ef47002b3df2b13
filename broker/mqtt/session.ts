// One session (MQTT 5.0 §4.1): what outlives a connection — subscriptions, the
// outgoing queue and in-flight window, inbound QoS 2 packet ids, the will and the
// expiry. The connection (client.ts) comes and goes; the broker keeps the sessions.
import type { QoS } from "mqtt-packet";
import type { PendingAck } from "./ack-gate";
import { type OwedBudget, OwedRetained } from "./owed";
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
   * Retained messages for new subscriptions, not yet sent (owed.ts): they go before the
   * queue, as the socket drains and the window allows, under no queue limit (review 10, F8)
   * but under the broker's budget for all sessions (review-11 F5).
   */
  private readonly owed: OwedRetained;
  /** Whether the last takeNext came from the owed retained messages (putBack returns it there). */
  private tookFromBacklog = false;
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
    budget: OwedBudget,
  ) {
    this.protocolVersion = protocolVersion;
    this.owed = new OwedRetained(budget);
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

  /** Retained copies waiting to be sent (the backlog). */
  get backlogSize(): number {
    return this.owed.size;
  }

  /** Something waits to be sent: the backlog or the queue. */
  hasPending(): boolean {
    return this.owed.size > 0 || this.queue.length > 0;
  }

  /**
   * A new subscription's retained messages at `qos` (granted), behind the others; the
   * caller took messages.length from the budget. Their seqs are reserved now, so the
   * store orders them before anything queued later, as they are sent.
   */
  addRetained(messages: StoredMessage[], qos: QoS, subscriptionIds: number[]): void {
    this.owed.add(messages, this.lastSeq + 1, qos, subscriptionIds);
    this.lastSeq += messages.length;
  }

  /** What goes next, not removed: the backlog first, then the queue. */
  peekNext(): Delivery | undefined {
    return this.owed.peek() ?? this.queue[0];
  }

  /** What goes next, removed (peekNext). */
  takeNext(): Delivery | undefined {
    this.tookFromBacklog = this.owed.size > 0;
    return this.tookFromBacklog ? this.owed.take() : this.dequeue();
  }

  /** Puts back what takeNext gave (it could not be sent yet). */
  putBack(delivery: Delivery): void {
    if (this.tookFromBacklog) this.owed.putBack(delivery);
    else this.requeue(delivery);
  }

  /**
   * The connection is gone: the backlog's QoS 0 copies go, as every QoS 0 copy does; its
   * QoS 1/2 ones stay owed to a session that lives on (past maxQueuedMessages if need be:
   * they are what the subscriber was promised), and `save` gets each one not in the store
   * yet, so they outlive a restart too. They no longer count against the broker's budget
   * (review-15 M2), as after a restart, where they come back as queued messages.
   */
  parkBacklog(save: (d: Delivery) => void): void {
    this.owed.park(save);
  }

  /** The session ended: nothing is owed any more (the budget gets its share back). */
  dropBacklog(): void {
    this.owed.clear();
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
    const removed = this.owed.dropWhere(drop);
    const kept: Delivery[] = [];
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

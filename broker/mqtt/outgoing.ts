// The broker → client direction of a session: deliveries sent at once when the
// connection can take them, else queued (bounded); the in-flight window (the client's
// Receive Maximum, MQTT 5.0 §4.9); PUBACK / PUBREC / PUBCOMP from the client; copies
// for persistent sessions reported to the store with their state. Nothing here waits
// for a socket: a connection that is not draining gets its deliveries queued, and the
// queue's bound drops QoS 0 first, then the oldest.
import type { QoS } from "mqtt-packet";
import type { Client } from "./client";
import type { Core } from "./core";
import { RC } from "./reason-codes";
import type { Delivery, Session } from "./session";
import type { OutgoingMessage, StoredMessage } from "./store";

type S<P> = Session<Client<P>>;

export const isExpired = (message: StoredMessage, now: number) => message.expiresAt !== null && message.expiresAt <= now;

/** A message for one session at `qos` (already min(published, granted)). */
export function deliver<P>(core: Core<P>, session: S<P>, message: StoredMessage, qos: QoS, subscriptionIds: number[]): void {
  const conn = session.connection;
  if (qos === 0) {
    if (conn === null) return; // QoS 0 is not kept for a disconnected session (like Mosquitto's default)
    if (!session.hasPending() && conn.canWrite()) sendQos0(core, conn, message, subscriptionIds);
    else enqueue(core, session, { seq: 0, message, qos, packetId: null, state: "queued", subscriptionIds });
    return;
  }
  const d: Delivery = { seq: session.nextSeq(), message, qos, packetId: null, state: "queued", subscriptionIds };
  if (conn !== null && !session.hasPending() && session.inflight.size < conn.sendQuota && conn.canWrite()) {
    if (sendNow(core, conn, session, d)) return;
  }
  if (enqueue(core, session, d) && session.persistent) core.store.saveOutgoing(session.clientId, d as OutgoingMessage);
}

/** Retained copies one session may be owed at once (a client subscribing `#`, `+/#`, `+/+/#` … must not take the whole budget). */
export const MAX_BACKLOG = 100_000;

/**
 * The retained messages a new subscription to `filter` is owed [MQTT-3.3.1-6], all of them
 * (review 10, F8): they wait in the session's backlog (owed.ts), ahead of its queue, and go
 * as the socket drains and the in-flight window allows, so a SUBSCRIBE to `homeassistant/#`
 * in a home of 3,000 retained discovery configs gets 3,000, however slowly it reads.
 * Before, they went through deliver(), and what did not fit the 1 MiB write buffer or the
 * in-flight window queued under maxQueuedMessages, the rest dropped: 1,623 of 3,000.
 * Mosquitto (src/retain.c retain__process → database.c db__message_insert) sends a
 * connected client's copies while its unsent packets are under max_queued_messages (QoS 0)
 * or its in-flight window allows (QoS 1/2), queues QoS 1/2 ones past the window under
 * max_queued_messages and drops the rest (1,020 of 3,000 for a QoS 1 subscriber with
 * Receive Maximum 20); Hearth keeps those too.
 *
 * Bounded (review-11 F5): a session owes at most MAX_BACKLOG, and all sessions together
 * at most limits.maxOwedRetained, each entry a reference to the retained store's message.
 * What does not fit is not sent, decided here, at the SUBSCRIBE: counted as queue-full
 * drops and logged once for the subscription (`retained-owed-full`). The SUBACK has gone
 * already; the subscription stands and gets every later publish.
 */
export function deliverRetained<P>(core: Core<P>, session: S<P>, filter: string, messages: StoredMessage[], grantedQos: QoS, subscriptionIds: number[]): void {
  const wanted = messages.length;
  const room = Math.max(0, Math.min(wanted, MAX_BACKLOG - session.backlogSize));
  const fits = core.owedBudget.take(room);
  if (fits < wanted) {
    messages.length = fits;
    core.counters.queueFull += wanted - fits;
    core.log.warn("too many retained messages owed; a new subscription gets only some of its retained messages", {
      code: "retained-owed-full",
      client: session.clientId,
      filter,
      matched: wanted,
      sent: fits,
      limit: fits < room ? core.owedBudget.limit : MAX_BACKLOG,
      per: fits < room ? "broker" : "session",
    });
  }
  session.addRetained(messages, grantedQos, subscriptionIds);
  pump(core, session);
}

/** Queues `d`; false if `d` itself was dropped (the queue is full of QoS 1/2 and it is QoS 0). */
function enqueue<P>(core: Core<P>, session: S<P>, d: Delivery): boolean {
  const dropped = session.enqueue(d, core.limits.maxQueuedMessages);
  if (dropped === null) return true;
  core.counters.queueFull++;
  if (dropped.qos > 0 && dropped !== d && session.persistent) core.store.deleteOutgoing(session.clientId, dropped.seq);
  // One line per 1000 drops per session: a stuck device must not flood the log.
  if (session.dropped % 1000 === 1) {
    core.log.warn("session queue full; dropping a message", {
      code: "queue-full",
      client: session.clientId,
      limit: core.limits.maxQueuedMessages,
      dropped: session.dropped,
      topic: dropped.message.topic,
    });
  }
  if (session.connection && !session.connection.canWrite()) session.connection.awaitDrain();
  return dropped !== d;
}

function sendQos0<P>(core: Core<P>, conn: Client<P>, message: StoredMessage, subscriptionIds: number[]): void {
  const now = message.expiresAt === null ? 0 : Date.now();
  if (message.expiresAt !== null && message.expiresAt <= now) core.counters.expired++;
  else if (!conn.writePublish(message, 0, null, subscriptionIds, false, now)) core.counters.tooLarge++;
}

/**
 * Sends a delivery now; false if it must wait (no packet id free). An expired message
 * is dropped [MQTT-3.3.2-5]; one larger than the client's Maximum Packet Size is not
 * sent to it [MQTT-3.1.2-25].
 */
function sendNow<P>(core: Core<P>, conn: Client<P>, session: S<P>, d: Delivery): boolean {
  if (d.qos === 0) {
    sendQos0(core, conn, d.message, d.subscriptionIds);
    return true;
  }
  const stored = session.persistent;
  const now = d.message.expiresAt === null ? 0 : Date.now();
  if (d.message.expiresAt !== null && d.message.expiresAt <= now) {
    core.counters.expired++;
    if (stored) core.store.deleteOutgoing(session.clientId, d.seq);
    return true;
  }
  const packetId = session.nextPacketId();
  if (packetId === null) return false;
  d.packetId = packetId;
  if (!conn.writePublish(d.message, d.qos, packetId, d.subscriptionIds, false, now)) {
    d.packetId = null;
    core.counters.tooLarge++;
    if (stored) core.store.deleteOutgoing(session.clientId, d.seq);
    return true;
  }
  d.state = "sent";
  session.inflight.set(packetId, d);
  if (stored) core.store.saveOutgoing(session.clientId, d as OutgoingMessage);
  return true;
}

/** Sends what the session owes (its retained backlog, then its queue) while the connection takes it and the window allows. */
export function pump<P>(core: Core<P>, session: S<P>): void {
  const conn = session.connection;
  if (conn === null) return;
  while (session.hasPending()) {
    if (!conn.canWrite()) {
      conn.awaitDrain();
      return;
    }
    const head = session.peekNext()!;
    if (head.qos > 0 && session.inflight.size >= conn.sendQuota) return;
    session.takeNext();
    if (!sendNow(core, conn, session, head)) {
      session.putBack(head);
      return;
    }
  }
}

/** [MQTT-4.4.0-1] on a resumed session, unacknowledged PUBLISHes go again with DUP=1, and PUBRELs again. */
export function resendInflight<P>(core: Core<P>, conn: Client<P>, session: S<P>): void {
  const now = Date.now();
  for (const d of [...session.inflight.values()].sort((a, b) => a.seq - b.seq)) {
    if (d.state === "released") conn.send({ cmd: "pubrel", messageId: d.packetId! });
    else if (!conn.writePublish(d.message, d.qos, d.packetId, d.subscriptionIds, true, now)) {
      core.counters.tooLarge++;
      forget(core, session, d);
    }
  }
}

function forget<P>(core: Core<P>, session: S<P>, d: Delivery): void {
  session.inflight.delete(d.packetId!);
  if (session.persistent) core.store.deleteOutgoing(session.clientId, d.seq);
}

export function onPuback<P>(core: Core<P>, session: S<P>, packetId: number): void {
  const d = session.inflight.get(packetId);
  if (d === undefined || d.qos !== 1) return;
  forget(core, session, d);
  pump(core, session);
}

export function onPubrec<P>(core: Core<P>, conn: Client<P>, session: S<P>, packetId: number, reasonCode: number): void {
  const d = session.inflight.get(packetId);
  if (d === undefined || d.qos !== 2) {
    // [MQTT-4.3.3-…] answer so the client can finish; MQTT 5 says the id is unknown.
    if (reasonCode < 0x80) conn.send({ cmd: "pubrel", messageId: packetId, reasonCode: conn.protocolVersion === 5 ? RC.packetIdentifierNotFound : undefined });
    return;
  }
  if (reasonCode >= 0x80) {
    // MQTT 5: the client refused it; the exchange ends here (§4.3.3).
    forget(core, session, d);
    pump(core, session);
    return;
  }
  d.state = "released";
  if (session.persistent) core.store.saveOutgoing(session.clientId, d as OutgoingMessage);
  conn.send({ cmd: "pubrel", messageId: packetId });
}

export function onPubcomp<P>(core: Core<P>, session: S<P>, packetId: number): void {
  const d = session.inflight.get(packetId);
  if (d === undefined || d.state !== "released") return;
  forget(core, session, d);
  pump(core, session);
}

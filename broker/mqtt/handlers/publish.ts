// PUBLISH from a client (MQTT 3.1.1 §3.3, MQTT 5.0 §3.3): topic aliases in, the
// topic's validity, our Receive Maximum, duplicates of a message already stored, the
// publish hooks, then the message is accepted (retained, routed, onPublished) and its
// PUBACK / PUBREC waits in ack-gate.ts for the commit.
import { isUtf8 } from "node:buffer";
import type { IPublishPacket } from "mqtt-packet";
import type { AckSlot } from "../../../lib/ack-slot";
import { checkTopicName } from "../../../lib/topics";
import type { Client } from "../client";
import type { Core } from "../core";
import type { Refusal } from "../hooks";
import { RC } from "../reason-codes";
import type { Session } from "../session";
import type { MessageProperties, StoredMessage } from "../store";

export function handlePublish<P>(core: Core<P>, client: Client<P>, session: Session<Client<P>>, packet: IPublishPacket): void {
  const topic = resolveTopic(core, client, packet);
  if (topic === null) return;
  const qos = packet.qos;
  const packetId = packet.messageId ?? 0;
  if (qos > 0) {
    const seen = session.inbound.get(packetId);
    // [MQTT-4.3.3-…] a QoS 2 PUBLISH again before PUBREL: PUBREC again, not delivered twice.
    // A QoS 1 retransmission (DUP) on a new connection of a message not yet acknowledged: PUBACK, not routed again.
    // Either waits for the first copy's effects, and fails with them (review-5 #3).
    if ((qos === 2 && seen === 2) || (qos === 1 && packet.dup && seen === 1)) {
      const first = session.inboundAcks.get(packetId);
      const after = first === undefined ? null : [core.acks.outcome(first)];
      return void core.acks.add(client, qos === 1 ? "puback" : "pubrec", packetId, RC.success, false, after, settleInbound(core, client, session, packetId, qos));
    }
    // [MQTT-3.3.4-9] more unacknowledged QoS 1/2 PUBLISHes than our Receive Maximum.
    if (client.protocolVersion === 5 && client.inboundUnacked >= core.limits.receiveMaximum) {
      return client.disconnect(RC.receiveMaximumExceeded, "receive maximum exceeded", "receive-maximum-exceeded");
    }
  }
  const payload = packet.payload as Buffer;
  // MQTT 5.0 §3.3.2.3.2, §4.13: a receiver MAY check a payload that says it is UTF-8
  // (Payload Format Indicator 1) and answer 0x99; Hearth does, so no subscriber is handed
  // "text" that is not, with the indicator passed on unaltered [MQTT-3.3.2-4].
  if (packet.properties?.payloadFormatIndicator === true && !isUtf8(payload)) {
    core.log.warn("publish refused", { code: PAYLOAD_FORMAT_INVALID.code, client: client.clientId, topic, qos });
    return refused(core, client, packet, qos === 0 ? { ...PAYLOAD_FORMAT_INVALID, disconnect: true } : PAYLOAD_FORMAT_INVALID);
  }
  const refusal = authorize(core, client, topic, packet, payload.length);
  if (refusal) return refused(core, client, packet, refusal);

  core.counters.messagesReceived++;
  const now = Date.now();
  const message = toStoredMessage(topic, payload, packet, now);
  // QoS 1/2: the acknowledgement reads the slot after the commit (lib/ack-slot.ts).
  const ackSlot: AckSlot | undefined = qos === 0 ? undefined : { failed: null };
  const effects = core.accept(message, client, ackSlot);
  if (qos === 0) {
    if (effects) Promise.all(effects).catch(() => {}); // QoS 0 waits for nothing; failures are logged by the gate's peers
    return;
  }
  // QoS 2 ids of a persistent session are stored (with the row, or after it when history
  // commits apart); QoS 1 ids are kept in memory only, until the PUBACK (README, "What is
  // promised when": a stored QoS 1 id cannot be told from a reused one after a crash).
  if (qos === 2 || session.persistent) {
    session.inbound.set(packetId, qos);
    if (qos === 2 && session.persistent) {
      if (core.store.effectsCommitApart === true) addInboundAfter(core, session, packetId, effects);
      else core.store.addInbound(session.clientId, { packetId, qos }, ackSlot);
    }
  }
  client.inboundUnacked++;
  // MQTT 5.0 §3.4.2.1, §3.5.2.1: 0x10 when the server knows nobody subscribes (a MAY; still a success).
  const reasonCode = client.protocolVersion === 5 && core.lastRouted === 0 ? RC.noMatchingSubscribers : RC.success;
  const kept = session.inbound.get(packetId) === qos;
  const settle = kept ? settleInbound(core, client, session, packetId, qos) : null;
  const ack = core.acks.add(client, qos === 1 ? "puback" : "pubrec", packetId, reasonCode, true, effects, settle, ackSlot);
  if (kept) session.inboundAcks.set(packetId, ack);
}

/**
 * What becomes of a kept inbound id once its message's effects settle (ack-gate.ts), also
 * when the connection has closed meanwhile (review-5 #3):
 * - stored, QoS 1: forgotten before the PUBACK goes out, since after a PUBACK the same id is
 *   a new message [MQTT-4.3.2-2] (v5 [MQTT-4.3.2-5]); kept if no PUBACK can go out (closed),
 *   so the resend on the next connection is known. QoS 2 ids stay until PUBREL [MQTT-4.3.3-…].
 * - not stored: the id goes, so the resend is taken for a new message, never for a stored one.
 */
function settleInbound<P>(core: Core<P>, client: Client<P>, session: Session<Client<P>>, packetId: number, qos: 1 | 2) {
  return (stored: boolean) => {
    const ack = session.inboundAcks.get(packetId);
    if (ack !== undefined && ack.waiting === 0) session.inboundAcks.delete(packetId);
    if (session.inbound.get(packetId) !== qos) return;
    if (stored && (qos === 2 || client.isClosed())) return;
    session.inbound.delete(packetId);
    // A failed QoS 2 id may be stored already; not if a new session (clean start) took the client id meanwhile.
    if (!stored && session.persistent && core.sessions.get(session.clientId) === session) core.store.deleteInbound(session.clientId, packetId);
  };
}

/**
 * History in another database (store.effectsCommitApart): the QoS 2 id is stored only
 * once the effects have committed, never before, so a crash between the two commits
 * makes the resend a new message (a possible duplicate), never a duplicate taken for
 * stored when it was not (a loss). QoS 1 ids are then kept in memory only.
 */
function addInboundAfter<P>(core: Core<P>, session: Session<Client<P>>, packetId: number, effects: Promise<void>[] | null): void {
  const add = () => {
    if (session.inbound.get(packetId) === 2 && core.sessions.get(session.clientId) === session) {
      core.store.addInbound(session.clientId, { packetId, qos: 2 });
    }
  };
  if (effects === null) return add();
  // It may commit after the PUBREC went out: a crash then makes the resend new (a possible duplicate, allowed).
  Promise.all(effects).then(add, () => {});
}

/** The topic name, after MQTT 5 topic aliases (§3.3.2.3.4); null if the connection was closed for it. */
function resolveTopic<P>(core: Core<P>, client: Client<P>, packet: IPublishPacket): string | null {
  let topic = packet.topic;
  const alias = packet.properties?.topicAlias;
  if (alias !== undefined) {
    // [MQTT-3.3.2-8..10] 0 or above our Topic Alias Maximum is an error.
    if (alias === 0 || alias > core.limits.topicAliasMaximum) {
      client.disconnect(RC.topicAliasInvalid, `topic alias ${alias} is out of range`, "topic-alias-invalid");
      return null;
    }
    if (topic.length > 0) client.aliasesIn.set(alias, topic);
    else {
      const known = client.aliasesIn.get(alias);
      if (known === undefined) {
        client.disconnect(RC.protocolError, `topic alias ${alias} was never set`, "topic-alias-unknown");
        return null;
      }
      topic = known;
    }
  }
  // [MQTT-3.3.2-1] a topic name; [MQTT-3.3.2-2] no wildcards.
  const check = checkTopicName(topic);
  if (!check.ok) {
    client.disconnect(RC.topicNameInvalid, `topic name: ${check.reason}`, "topic-name-invalid");
    return null;
  }
  return topic;
}

function authorize<P>(core: Core<P>, client: Client<P>, topic: string, packet: IPublishPacket, payloadBytes: number): Refusal | null {
  if (core.publishAuthorizers.length === 0) return null;
  const request = { topic, qos: packet.qos, retain: packet.retain, payloadBytes };
  for (const hook of core.publishAuthorizers) {
    const refusal = hook.authorizePublish!(client, request);
    if (refusal) return refusal;
  }
  return null;
}

/**
 * A refused PUBLISH. MQTT 5: PUBACK / PUBREC with the reason code (QoS 0: dropped);
 * 3.1.1 cannot say no, so the connection closes [MQTT-3.3.5-2]; `disconnect` closes it in both.
 */
function refused<P>(core: Core<P>, client: Client<P>, packet: IPublishPacket, refusal: Refusal): void {
  if (refusal.disconnect || client.protocolVersion !== 5) {
    return client.disconnect(refusal.reasonCode, refusal.message, `refused:${refusal.code}`);
  }
  core.log.debug("publish refused", { code: refusal.code, client: client.clientId, topic: packet.topic });
  if (packet.qos === 0) return;
  // A refused QoS 1/2 message ends at this ack: it takes no quota and keeps no packet id (§4.3.3).
  core.acks.add(client, packet.qos === 1 ? "puback" : "pubrec", packet.messageId!, refusal.reasonCode, false, null);
}

const NO_PROPERTIES: MessageProperties = {};

/** QoS 1/2: PUBACK / PUBREC 0x99; QoS 0 has no acknowledgement, so the connection closes with it (§4.13). */
const PAYLOAD_FORMAT_INVALID: Refusal = {
  reasonCode: RC.payloadFormatInvalid,
  code: "payload-format-invalid",
  message: "the payload format indicator says UTF-8 and the payload is not",
};

/** The message as the broker keeps it: MQTT 5 properties carried unchanged [MQTT-3.3.2-…], expiry as a deadline. */
export function toStoredMessage(topic: string, payload: Buffer, packet: IPublishPacket, now: number): StoredMessage {
  const p = packet.properties;
  let properties = NO_PROPERTIES;
  let expiresAt: number | null = null;
  if (p !== undefined) {
    const { topicAlias: _alias, messageExpiryInterval, subscriptionIdentifier: _ids, ...carried } = p;
    properties = carried;
    if (messageExpiryInterval !== undefined) expiresAt = now + messageExpiryInterval * 1000;
  }
  return { topic, payload, qos: packet.qos, retain: packet.retain, properties, expiresAt, receivedAt: now };
}

// SUBSCRIBE → SUBACK (MQTT 3.1.1 §3.8-3.9, MQTT 5.0 §3.8-3.9): each filter checked
// and authorized on its own, a reason code per filter (3.1.1: 0x80 for a refusal
// [MQTT-3.9.3-…]), subscription options and identifiers kept, and the retained
// messages sent after the SUBACK as Retain Handling says (§3.3.1.3).
import type { ISubscribePacket, ISubscription } from "mqtt-packet";
import { splitSharedFilter } from "../../../lib/topic-trie";
import { checkTopicFilter } from "../../../lib/topics";
import type { Client } from "../client";
import type { Core } from "../core";
import type { Refusal } from "../hooks";
import { deliverRetained } from "../outgoing";
import { RC } from "../reason-codes";
import type { Session } from "../session";
import type { StoredMessage, StoredSubscription } from "../store";

type S<P> = Session<Client<P>>;

export function handleSubscribe<P>(core: Core<P>, client: Client<P>, session: S<P>, packet: ISubscribePacket): void {
  const v5 = client.protocolVersion === 5;
  const subscriptionId = v5 ? (packet.properties?.subscriptionIdentifier ?? null) : null;
  const granted: number[] = [];
  const retainedToSend: { sub: StoredSubscription; isNew: boolean }[] = [];
  let reasons: string[] | undefined;
  for (const request of packet.subscriptions) {
    const sub = toStoredSubscription(request, v5, subscriptionId);
    const problem = checkFilter(sub);
    if (problem === "protocol-error") {
      // [MQTT-3.8.3-4] No Local on a shared subscription is a protocol error.
      return client.disconnect(RC.protocolError, "no local on a shared subscription", "protocol-error");
    }
    if (problem !== null) {
      granted.push(v5 ? RC.topicFilterInvalid : 0x80);
      (reasons ??= []).push(`${sub.filter}: ${problem}`);
      continue;
    }
    const refusal = authorize(core, client, session, sub);
    if (refusal) {
      if (refusal.disconnect) return client.disconnect(refusal.reasonCode, refusal.message, `refused:${refusal.code}`);
      granted.push(v5 ? refusal.reasonCode : 0x80);
      (reasons ??= []).push(`${sub.filter}: ${refusal.message}`);
      core.log.debug("subscription refused", { code: refusal.code, client: client.clientId, filter: sub.filter });
      continue;
    }
    const isNew = !session.subscriptions.has(sub.filter);
    session.subscriptions.set(sub.filter, sub);
    core.subscriptions.set(sub.filter, session, sub); // [MQTT-3.8.4-3] an identical filter replaces the old one
    if (session.persistent) core.store.saveSubscription(session.clientId, sub);
    granted.push(sub.qos); // granted QoS = reason codes 0x00-0x02
    retainedToSend.push({ sub, isNew });
  }
  const reasonString = v5 && client.problemInformation && reasons ? reasons.join("; ") : undefined;
  client.send({ cmd: "suback", messageId: packet.messageId, granted, properties: reasonString ? { reasonString } : undefined });
  for (const { sub, isNew } of retainedToSend) sendRetained(core, session, sub, isNew);
}

function toStoredSubscription(r: ISubscription, v5: boolean, subscriptionId: number | null): StoredSubscription {
  return {
    filter: r.topic,
    qos: r.qos,
    noLocal: v5 && r.nl === true,
    retainAsPublished: v5 && r.rap === true,
    retainHandling: v5 ? ((r.rh ?? 0) as 0 | 1 | 2) : 0,
    subscriptionId,
  };
}

/** null, the reason a filter is invalid, or "protocol-error". */
function checkFilter(sub: StoredSubscription): string | null {
  const shared = splitSharedFilter(sub.filter);
  if (shared === null) return "a shared subscription is $share/<group>/<filter>";
  const check = checkTopicFilter(shared.filter);
  if (!check.ok) return check.reason;
  if (shared.group !== null && sub.noLocal) return "protocol-error";
  return null;
}

function authorize<P>(core: Core<P>, client: Client<P>, session: S<P>, sub: StoredSubscription): Refusal | null {
  for (const hook of core.subscribeAuthorizers) {
    // "The client's subscriptions before this one": a filter it already holds is replaced, not added [MQTT-3.8.4-3].
    const others = session.subscriptions.size - (session.subscriptions.has(sub.filter) ? 1 : 0);
    const refusal = hook.authorizeSubscribe!(client, sub, others);
    if (refusal) return refusal;
  }
  return null;
}

/**
 * Retained messages for a new subscription [MQTT-3.3.1-6], with RETAIN 1 [MQTT-3.3.1-8], all
 * of them, paced by the connection (outgoing.ts deliverRetained):
 * Retain Handling 0 always, 1 only for a new subscription, 2 never; never to a shared
 * subscription [MQTT-3.8.4-…] (MQTT 5.0 §4.8.2).
 */
function sendRetained<P>(core: Core<P>, session: S<P>, sub: StoredSubscription, isNew: boolean): void {
  if (sub.retainHandling === 2 || (sub.retainHandling === 1 && !isNew)) return;
  if (sub.filter.startsWith("$share/")) return;
  const ids = sub.subscriptionId === null ? [] : [sub.subscriptionId];
  const owed: StoredMessage[] = [];
  // [MQTT-3.3.2-5] an expired retained message is not sent, and is gone (core.matchRetained).
  core.matchRetained(sub.filter, Date.now(), (message) => owed.push(message));
  deliverRetained(core, session, sub.filter, owed, sub.qos, ids);
}

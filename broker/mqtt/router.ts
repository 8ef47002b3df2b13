// Routing one accepted message to the sessions whose subscriptions match it: the
// trie is walked once per message; a session with several matching subscriptions
// gets one copy at the highest granted QoS carrying every subscription identifier
// (MQTT 5.0 §3.3.4); each `$share` group gets one copy, round-robin among its online
// members (§4.8.2). No Local [MQTT-3.8.3-3] and Retain As Published [MQTT-3.3.1-12]
// are applied here.
import type { QoS } from "mqtt-packet";
import type { SharedGroup, SubscriptionVisitor } from "../../lib/topic-trie";
import type { Client } from "./client";
import type { Core } from "./core";
import { deliver } from "./outgoing";
import type { Session } from "./session";
import type { StoredMessage, StoredSubscription } from "./store";

type Match<P> = { session: S<P> | null; qos: QoS; ids: number[] | null; retainAsPublished: boolean };
type S<P> = Session<Client<P>>;

const NO_IDS: number[] = [];

export class Router<P> {
  /**
   * This message's matches, one per session, in records reused from message to message;
   * a session finds its record through its routeMark / routeIndex (no Map, nothing
   * allocated per subscriber).
   */
  private readonly matches: Match<P>[] = [];
  private count = 0;
  private routeId = 0;
  private readonly groups: SharedGroup<S<P>, StoredSubscription>[] = [];
  private publisher: S<P> | null = null;
  private readonly visitor: SubscriptionVisitor<S<P>, StoredSubscription> = {
    subscriber: (session, sub) => {
      if (sub.noLocal && session === this.publisher) return;
      if (session.routeMark !== this.routeId) {
        session.routeMark = this.routeId;
        session.routeIndex = this.count;
        const fresh = (this.matches[this.count++] ??= { session: null, qos: 0, ids: null, retainAsPublished: false });
        fresh.session = session;
        fresh.qos = sub.qos;
        fresh.ids = sub.subscriptionId === null ? null : [sub.subscriptionId];
        fresh.retainAsPublished = sub.retainAsPublished;
        return;
      }
      const match = this.matches[session.routeIndex];
      if (sub.qos > match.qos) match.qos = sub.qos;
      if (sub.subscriptionId !== null) (match.ids ??= []).push(sub.subscriptionId);
      match.retainAsPublished ||= sub.retainAsPublished;
    },
    group: (group) => {
      this.groups.push(group);
    },
  };

  constructor(private readonly core: Core<P>) {}

  /** Returns how many sessions (shared groups counting once) the message went to. */
  route(message: StoredMessage, publisher: S<P> | null): number {
    this.publisher = publisher;
    this.routeId++;
    this.count = 0;
    this.core.subscriptions.match(message.topic, this.visitor);
    // [MQTT-3.3.1-9] a copy forwarded to existing subscribers has RETAIN 0, unless Retain As Published.
    const plain = message.retain ? { ...message, retain: false } : message;
    const count = this.count;
    for (let i = 0; i < count; i++) {
      const match = this.matches[i];
      const session = match.session!;
      match.session = null;
      const qos = (message.qos < match.qos ? message.qos : match.qos) as QoS;
      deliver(this.core, session, match.retainAsPublished ? message : plain, qos, match.ids ?? NO_IDS);
    }
    for (const group of this.groups) {
      const [session, sub] = pickMember(group);
      const qos = (message.qos < sub.qos ? message.qos : sub.qos) as QoS;
      deliver(this.core, session, sub.retainAsPublished ? message : plain, qos, sub.subscriptionId === null ? NO_IDS : [sub.subscriptionId]);
    }
    const routed = count + this.groups.length;
    this.groups.length = 0;
    this.publisher = null;
    return routed;
  }
}

/** The group's next member whose session is connected; if none is, the next member (its session queues it). */
function pickMember<P>(group: SharedGroup<S<P>, StoredSubscription>): [S<P>, StoredSubscription] {
  const members = [...group.members];
  const start = group.turn % members.length;
  for (let i = 0; i < members.length; i++) {
    const index = (start + i) % members.length;
    if (members[index][0].connection !== null) {
      group.turn = index + 1;
      return members[index];
    }
  }
  group.turn = start + 1;
  return members[start];
}

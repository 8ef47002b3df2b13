// A resumed session's subscriptions were authorised when they were made, for whoever
// made them then. At resume the connection's principal is asked again (review-8 F7):
// rights change between connections (a device's topics, a person's role, the anonymous
// ACL), and a session stored before owners were kept is adopted by whoever resumes it
// first. A filter the principal may no longer read is dropped, with the copies queued
// for it, before anything is sent. (Mosquitto checks the read ACL at every delivery.)
import { splitSharedFilter } from "../../lib/topic-trie";
import { topicMatches } from "../../lib/topics";
import type { Client } from "./client";
import type { Core } from "./core";
import type { Session } from "./session";

/** Drops what `client`'s principal may not read from its resumed `session`; returns the filters dropped. */
export function reauthorizeSubscriptions<P>(core: Core<P>, client: Client<P>, session: Session<Client<P>>): string[] {
  if (core.subscribeAuthorizers.length === 0) return [];
  const dropped: string[] = [];
  let kept = 0;
  for (const sub of [...session.subscriptions.values()]) {
    const refused = core.subscribeAuthorizers.some((hook) => hook.authorizeSubscribe!(client, sub, kept) !== null);
    if (!refused) {
      kept++;
      continue;
    }
    session.subscriptions.delete(sub.filter);
    core.subscriptions.delete(sub.filter, session);
    if (session.stored) core.store.deleteSubscription(session.clientId, sub.filter);
    dropped.push(sub.filter);
  }
  if (dropped.length === 0) return dropped;
  // What was queued for a dropped filter goes too: only copies a kept subscription matches stay.
  const readable = [...session.subscriptions.keys()].map((f) => splitSharedFilter(f)?.filter ?? f);
  const removed = session.dropDeliveries((d) => !readable.some((filter) => topicMatches(filter, d.message.topic)));
  for (const d of removed) if (d.qos > 0 && session.stored) core.store.deleteOutgoing(session.clientId, d.seq);
  core.log.warn("resumed session: subscriptions no longer allowed were dropped", {
    code: "resume-subscription-dropped",
    client: session.clientId,
    filters: dropped.join(" "),
    messagesDropped: removed.length,
  });
  return dropped;
}

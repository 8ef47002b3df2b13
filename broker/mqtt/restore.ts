// Start-up: everything the store kept comes back before the first connection
// (mochi-mqtt's storage hooks). Retained messages for the first subscriber; sessions
// with their subscriptions, queued and in-flight copies and inbound packet ids; a
// session the process left "connected" (a crash) counts as ended at this start, so its
// will goes out after its delay; expiry counts the time the broker was down too.
import type { Client } from "./client";
import type { Core } from "./core";
import { armExpiry, armWill, endSession, saveSession } from "./lifecycle";
import { isExpired } from "./outgoing";
import { NEVER_EXPIRES } from "./reason-codes";
import { Session } from "./session";
import type { RestoredState } from "./store";

export function restore<P>(core: Core<P>, state: RestoredState, now: number): void {
  for (const message of state.retained) {
    if (isExpired(message, now)) core.store.deleteRetained(message.topic);
    else core.retained.set(message.topic, message);
  }
  const restored: { session: Session<Client<P>>; crashed: boolean }[] = [];
  for (const r of state.sessions) {
    const session = new Session<Client<P>>(r.clientId, r.protocolVersion, core.owedBudget);
    session.expiryInterval = r.expiryInterval;
    session.will = r.will;
    session.owner = r.owner ?? null;
    session.stored = true;
    session.disconnectedAt = r.disconnectedAt ?? now;
    for (const sub of r.subscriptions) {
      session.subscriptions.set(sub.filter, sub);
      core.subscriptions.set(sub.filter, session, sub);
    }
    for (const o of r.outgoing) {
      session.seenSeq(o.seq);
      const d = { ...o };
      if (o.state === "queued" || o.packetId === null) session.queue.push({ ...d, state: "queued", packetId: null });
      else session.inflight.set(o.packetId, d);
    }
    // QoS 2 ids only: a QoS 1 id stored by an earlier version was kept past its PUBACK, and
    // after a PUBACK the same id is a new message [MQTT-4.3.2-2].
    for (const id of r.inbound) if (id.qos === 2) session.inbound.set(id.packetId, id.qos);
    core.sessions.set(r.clientId, session);
    restored.push({ session, crashed: r.disconnectedAt === null });
  }
  // Every session is in place before any will is published, so every subscriber hears it.
  for (const { session, crashed } of restored) {
    const elapsed = now - session.disconnectedAt!;
    if (session.expiryInterval !== NEVER_EXPIRES && elapsed >= session.expiryInterval * 1000) {
      endSession(core, session);
      continue;
    }
    // Record when it ended, so its expiry keeps counting across another restart.
    if (crashed) saveSession(core, session);
    armWill(core, session, (session.will?.delaySeconds ?? 0) * 1000 - elapsed);
    armExpiry(core, session, session.expiryInterval === NEVER_EXPIRES ? Infinity : session.expiryInterval * 1000 - elapsed);
  }
}

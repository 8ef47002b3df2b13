// A session's life: taken up by a CONNECT (new, resumed, or taken over from another
// connection), left by its connection (the will, now or after its delay; the expiry
// clock), and ended (expired, or replaced by a clean start) — MQTT 5.0 §3.1.2.4-5,
// §3.1.3.2, §4.1. Every change is reported to the store as it happens.
import type { Client } from "./client";
import type { Core } from "./core";
import { NEVER_EXPIRES, RC } from "./reason-codes";
import { Session } from "./session";
import type { OutgoingMessage, StoredMessage, StoredSession, StoredWill } from "./store";
import { publishWillIfAllowed } from "./will-rights";

type S<P> = Session<Client<P>>;

/** setTimeout's limit; longer waits are re-armed. */
const MAX_TIMER_MS = 0x7fffffff;

export function toStoredSession<P>(session: S<P>): StoredSession {
  return {
    clientId: session.clientId,
    protocolVersion: session.protocolVersion,
    expiryInterval: session.expiryInterval,
    disconnectedAt: session.disconnectedAt,
    will: session.will,
    owner: session.owner,
  };
}

/** Keeps the store's row in step: a session is stored while it is persistent or holds a will (to survive a crash). */
export function saveSession<P>(core: Core<P>, session: S<P>): void {
  if (session.persistent || session.will !== null) {
    core.store.saveSession(toStoredSession(session));
    session.stored = true;
  } else if (session.stored) {
    core.store.deleteSession(session.clientId);
    session.stored = false;
  }
}

/**
 * Gives `client` its session; returns Session Present. An existing connection with
 * the same client id is closed first [MQTT-3.1.4-3] (MQTT 5: DISCONNECT 0x8E); a clean
 * start discards the old session [MQTT-3.1.2-4]; reconnecting in time cancels a
 * delayed will [MQTT-3.1.3-9]. `owner`: who the connection is (hooks.ts sessionOwner); the
 * caller has refused a CONNECT whose owner differs from the session's (connect.ts).
 */
export function attachSession<P>(
  core: Core<P>,
  client: Client<P>,
  cleanStart: boolean,
  expiryInterval: number,
  will: StoredWill | null,
  owner: string | null = null,
): boolean {
  core.sessions.get(client.clientId)?.connection?.disconnect(RC.sessionTakenOver, "another connection took over this client id", "taken-over");
  let session = core.sessions.get(client.clientId);
  if (session !== undefined && cleanStart) {
    endSession(core, session);
    session = undefined;
  }
  const present = session !== undefined;
  if (session === undefined) {
    session = new Session<Client<P>>(client.clientId, client.protocolVersion, core.owedBudget);
    core.sessions.set(client.clientId, session);
  }
  session.clearTimers();
  session.protocolVersion = client.protocolVersion;
  session.expiryInterval = expiryInterval;
  session.will = will;
  session.disconnectedAt = null;
  session.connection = client;
  session.owner = owner;
  session.principal = client.principal;
  client.session = session;
  if (!session.persistent && session.stored) {
    // A persistent session resumed as a non-persistent one: what was stored goes (the will is saved again below).
    core.store.deleteSession(session.clientId);
    session.stored = false;
  }
  saveSession(core, session);
  return present;
}

/** The session's connection ended; `graceful`: a normal DISCONNECT, so no will [MQTT-3.14.4-3]. */
export function detachSession<P>(core: Core<P>, session: S<P>, graceful: boolean): void {
  session.connection = null;
  session.disconnectedAt = Date.now();
  session.dropQos0();
  // Retained copies not sent yet: the QoS 1/2 ones are owed to a session that lives on, across a restart too.
  session.parkBacklog((d) => {
    if (session.persistent) core.store.saveOutgoing(session.clientId, d as OutgoingMessage);
  });
  if (graceful) session.will = null;
  if (core.closing) {
    // Shutting down: the session and its will are kept as they are; the next start publishes the will (restore.ts).
    saveSession(core, session);
    return;
  }
  if (session.expiryInterval === 0) {
    endSession(core, session);
    return;
  }
  saveSession(core, session);
  armWill(core, session, (session.will?.delaySeconds ?? 0) * 1000);
  armExpiry(core, session, session.expiryInterval === NEVER_EXPIRES ? Infinity : session.expiryInterval * 1000);
}

/** Publishes the will after `delayMs` (at once if 0); the session's end publishes it sooner (endSession). */
export function armWill<P>(core: Core<P>, session: S<P>, delayMs: number): void {
  if (session.will === null) return;
  if (delayMs <= 0) publishWill(core, session);
  else after(delayMs, (timer) => (session.willTimer = timer), () => publishWill(core, session));
}

/** Ends the session after `afterMs` (Infinity: never). */
export function armExpiry<P>(core: Core<P>, session: S<P>, afterMs: number): void {
  if (afterMs === Infinity) return;
  after(afterMs, (timer) => (session.expiryTimer = timer), () => {
    if (session.connection === null) endSession(core, session);
  });
}

/** Runs `fire` after `delayMs`, however long (setTimeout tops out at ~24.8 days); `keep` holds the current timer (null once fired). */
function after(delayMs: number, keep: (timer: NodeJS.Timeout | null) => void, fire: () => void): void {
  const due = Date.now() + delayMs;
  const check = () => {
    const left = due - Date.now();
    if (left > 0) keep(setTimeout(check, Math.min(left, MAX_TIMER_MS)).unref());
    else {
      keep(null);
      fire();
    }
  };
  keep(setTimeout(check, Math.min(Math.max(delayMs, 0), MAX_TIMER_MS)).unref());
}

function publishWill<P>(core: Core<P>, session: S<P>): void {
  const will = session.will;
  if (will === null) return;
  session.will = null;
  if (core.sessions.get(session.clientId) === session) saveSession(core, session);
  publishWillIfAllowed(core, session, will, () => deliverWill(core, session.clientId, will));
}

function deliverWill<P>(core: Core<P>, clientId: string, will: StoredWill): void {
  const now = Date.now();
  // The will's Message Expiry Interval counts from its publication (expiresAt - receivedAt kept it, see fromConnectWill).
  const { delaySeconds: _delay, ...message } = will;
  const published: StoredMessage = {
    ...message,
    receivedAt: now,
    expiresAt: will.expiresAt === null ? null : now + (will.expiresAt - will.receivedAt),
  };
  core.log.debug("publishing a will", { client: clientId, topic: will.topic });
  const effects = core.accept(published, null);
  // The will is the broker's own publish: nobody waits for its acknowledgement, but a failure is logged.
  if (effects) Promise.all(effects).catch(() => {});
}

/** The session is over: its subscriptions leave the trie, its row the store, and a pending will is published [MQTT-3.1.3-9]. */
export function endSession<P>(core: Core<P>, session: S<P>): void {
  session.clearTimers();
  session.dropBacklog();
  for (const filter of session.subscriptions.keys()) core.subscriptions.delete(filter, session);
  if (core.sessions.get(session.clientId) === session) core.sessions.delete(session.clientId);
  if (session.stored) core.store.deleteSession(session.clientId);
  session.stored = false;
  publishWill(core, session);
}

/**
 * Ends a session at once, connected or not (an admin's act; its account removed): its
 * connection is closed first with `reason` (MQTT 5: DISCONNECT with its reason code), then
 * the session ends as by expiry, so its client id is free. False when there is none.
 */
export function endSessionNow<P>(core: Core<P>, clientId: string, reason: { reasonCode: number; message: string; code: string }): boolean {
  const session = core.sessions.get(clientId);
  if (session === undefined) return false;
  session.connection?.disconnect(reason.reasonCode, reason.message, reason.code);
  // The close ended a session that did not outlive its connection already.
  if (core.sessions.get(clientId) === session) endSession(core, session);
  return true;
}

// BrokerStore in memory: for tests and for a broker whose state need not survive the
// process. Every mutation is "durable" the moment it is made, so commit() resolves at
// once. Records are copied on the way in (a caller that changes an object after
// handing it over does not change what is stored, exactly as with SQLite) and on the
// way out of load() (a caller may change what it restored freely).
import type {
  BrokerStore,
  InboundId,
  MessageProperties,
  OutgoingMessage,
  RestoredSession,
  RestoredState,
  StoredMessage,
  StoredSession,
  StoredSubscription,
  StoredWill,
} from "./store";

type SessionEntry = {
  session: StoredSession;
  subscriptions: Map<string, StoredSubscription>;
  outgoing: Map<number, OutgoingMessage>;
  inbound: Map<number, InboundId>;
};

/** `initial`: a state to start from (a test's "restart" hands one store's load() to the next). */
export function createMemoryStore(initial?: RestoredState): BrokerStore {
  const retained = new Map<string, StoredMessage>();
  const sessions = new Map<string, SessionEntry>();
  let closed = false;

  /** Children of a session that was never saved are kept until it is, as SQLite rows would be. */
  const orphans = new Map<string, SessionEntry>();
  const entry = (clientId: string): SessionEntry => {
    const known = sessions.get(clientId) ?? orphans.get(clientId);
    if (known) return known;
    const created: SessionEntry = {
      session: undefined as unknown as StoredSession,
      subscriptions: new Map(),
      outgoing: new Map(),
      inbound: new Map(),
    };
    orphans.set(clientId, created);
    return created;
  };

  const store: BrokerStore = {
    async load() {
      return {
        retained: sortedBy([...retained.values()], (m) => m.topic).map(copyMessage),
        sessions: sortedBy([...sessions.values()], (e) => e.session.clientId).map(restoreSession),
      };
    },
    setRetained(message) {
      retained.set(message.topic, copyMessage(message));
    },
    deleteRetained(topic) {
      retained.delete(topic);
    },
    saveSession(session) {
      const e = entry(session.clientId);
      e.session = copySession(session);
      orphans.delete(session.clientId);
      sessions.set(session.clientId, e);
    },
    deleteSession(clientId) {
      sessions.delete(clientId);
      orphans.delete(clientId);
    },
    saveSubscription(clientId, subscription) {
      entry(clientId).subscriptions.set(subscription.filter, { ...subscription });
    },
    deleteSubscription(clientId, filter) {
      entry(clientId).subscriptions.delete(filter);
    },
    saveOutgoing(clientId, outgoing) {
      entry(clientId).outgoing.set(outgoing.seq, copyOutgoing(outgoing));
    },
    deleteOutgoing(clientId, seq) {
      entry(clientId).outgoing.delete(seq);
    },
    addInbound(clientId, id) {
      entry(clientId).inbound.set(id.packetId, { ...id });
    },
    deleteInbound(clientId, packetId) {
      entry(clientId).inbound.delete(packetId);
    },
    async commit() {
      if (closed) throw new Error("broker store: commit after close");
    },
    async close() {
      closed = true;
    },
  };

  if (initial) restoreInto(store, initial);
  return store;
}

function restoreInto(store: BrokerStore, state: RestoredState): void {
  for (const message of state.retained) store.setRetained(message);
  for (const { subscriptions, outgoing, inbound, ...session } of state.sessions) {
    store.saveSession(session);
    for (const s of subscriptions) store.saveSubscription(session.clientId, s);
    for (const o of outgoing) store.saveOutgoing(session.clientId, o);
    for (const i of inbound) store.addInbound(session.clientId, i);
  }
}

function restoreSession(e: SessionEntry): RestoredSession {
  return {
    ...copySession(e.session),
    subscriptions: sortedBy([...e.subscriptions.values()], (s) => s.filter).map((s) => ({ ...s })),
    outgoing: [...e.outgoing.values()].sort((a, b) => a.seq - b.seq).map(copyOutgoing),
    inbound: [...e.inbound.values()].sort((a, b) => a.packetId - b.packetId).map((i) => ({ ...i })),
  };
}

function sortedBy<T>(items: T[], key: (item: T) => string): T[] {
  return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Absent properties stay absent: a key set to undefined is dropped, as a stored row would drop it. */
export function copyProperties(p: MessageProperties): MessageProperties {
  const copy = Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as MessageProperties;
  if (p.correlationData !== undefined) copy.correlationData = Buffer.from(p.correlationData);
  if (p.userProperties !== undefined) {
    copy.userProperties = Object.fromEntries(
      Object.entries(p.userProperties).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v]),
    );
  }
  return copy;
}

export function copyMessage(m: StoredMessage): StoredMessage {
  return { ...m, payload: Buffer.from(m.payload), properties: copyProperties(m.properties) };
}

function copyWill(w: StoredWill): StoredWill {
  return { ...copyMessage(w), delaySeconds: w.delaySeconds };
}

function copySession(s: StoredSession): StoredSession {
  return { ...s, will: s.will === null ? null : copyWill(s.will) };
}

function copyOutgoing(o: OutgoingMessage): OutgoingMessage {
  return { ...o, message: copyMessage(o.message), subscriptionIds: [...o.subscriptionIds] };
}

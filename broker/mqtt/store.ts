// The broker's durable state, behind one interface (issue 12): retained messages,
// sessions with their subscriptions and expiry, outgoing QoS 1/2 messages per session
// (queued and in flight), QoS 2 packet ids received, and wills. The broker core has no
// SQL in it: it reports every change here as it happens and restores from load() at
// start (mochi-mqtt's storage hooks; aedes-persistence's abstract.js).
//
// Mutations are synchronous and go into the current write group; commit() resolves
// once every mutation made before the call is durable. The broker sends a PUBACK or
// PUBREC only after the commit that holds the message's effects ("acknowledged means
// stored"), so an implementation groups mutations made within a few milliseconds into
// one transaction to keep throughput. Implementations: memory-store.ts (tests, and
// where nothing need survive) and sqlite-store.ts (the hub's data directory); one
// contract suite, store-contract.ts, proves both.
import type { QoS, UserProperties } from "mqtt-packet";
import type { AckSlot } from "../../lib/ack-slot";

/** MQTT 5 publish properties the broker carries through unchanged ([MQTT-3.3.2-…]). */
export type MessageProperties = {
  payloadFormatIndicator?: boolean;
  contentType?: string;
  responseTopic?: string;
  correlationData?: Buffer;
  userProperties?: UserProperties;
};

/** An application message as the broker keeps it: what was published, once. */
export type StoredMessage = {
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  properties: MessageProperties;
  /** Epoch ms after which the message is dropped instead of sent (message expiry); null: never. */
  expiresAt: number | null;
  /** Epoch ms when the broker accepted it. */
  receivedAt: number;
};

export type StoredSubscription = {
  /** The filter as subscribed, `$share/<group>/` prefix included. */
  filter: string;
  qos: QoS;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: 0 | 1 | 2;
  subscriptionId: number | null;
};

export type StoredWill = StoredMessage & { delaySeconds: number };

export type StoredSession = {
  clientId: string;
  protocolVersion: 3 | 4 | 5;
  /** Seconds the session outlives its connection; 0xFFFFFFFF never expires. MQTT 3.1.1 clean=false is 0xFFFFFFFF. */
  expiryInterval: number;
  /** Epoch ms the connection ended; null while connected (a crash leaves it null: restore treats it as "ended at start"). */
  disconnectedAt: number | null;
  /** The will to publish if the connection ends without a normal DISCONNECT, or null. */
  will: StoredWill | null;
  /**
   * Who made the session (hooks.ts sessionOwner: "device:hall-sensor", "user:alice", …): only
   * the same principal resumes it (review-8 F7). null: made before owners were kept, or by
   * a broker without the hook; the next connection to resume it becomes its owner.
   */
  owner: string | null;
};

/**
 * A copy of a message for one session: queued (not sent yet) or in flight (sent,
 * waiting for PUBACK / PUBREC / PUBCOMP). `seq` orders a session's messages and is
 * unique per session; the broker assigns it.
 */
export type OutgoingMessage = {
  seq: number;
  message: StoredMessage;
  /** The QoS of this copy: min(published, granted). */
  qos: 1 | 2;
  /** The packet id once sent, else null. */
  packetId: number | null;
  /** queued → sent (PUBLISH out) → released (PUBREC in, PUBREL out; QoS 2 only). */
  state: "queued" | "sent" | "released";
  subscriptionIds: number[];
};

export type InboundId = { packetId: number; qos: 1 | 2 };

export type RestoredSession = StoredSession & {
  subscriptions: StoredSubscription[];
  outgoing: OutgoingMessage[];
  /** Inbound packet ids stored (QoS 2, until PUBREL; QoS 1 only from an earlier version): see addInbound. */
  inbound: InboundId[];
};

export type RestoredState = {
  retained: StoredMessage[];
  sessions: RestoredSession[];
};

export interface BrokerStore {
  /**
   * True when the onPublished hooks' effects (history rows) commit in another database
   * than this store (PostgreSQL history, broker/hub-stores.ts): then an inbound packet id
   * is stored only after they have committed, so a crash between the two commits leaves
   * a possible duplicate, never a message acknowledged as a duplicate and not stored.
   */
  readonly effectsCommitApart?: boolean;

  /** Everything stored, read once at start. */
  load(): Promise<RestoredState>;

  /** Replaces the retained message on its topic. */
  setRetained(message: StoredMessage): void;
  deleteRetained(topic: string): void;

  /** Creates or replaces a session's own row (not its subscriptions or messages). */
  saveSession(session: StoredSession): void;
  /** Removes a session and everything that hangs on it. */
  deleteSession(clientId: string): void;

  saveSubscription(clientId: string, subscription: StoredSubscription): void;
  deleteSubscription(clientId: string, filter: string): void;

  /** Adds a copy for a session, or replaces the one with the same seq (a state change). */
  saveOutgoing(clientId: string, outgoing: OutgoingMessage): void;
  deleteOutgoing(clientId: string, seq: number): void;

  /**
   * The packet id of a QoS 2 PUBLISH from a persistent session, held until PUBREL, so a
   * resent PUBLISH is not routed twice, also after a crash ([MQTT-4.3.3-…]). The broker
   * stores no QoS 1 ids (handlers/publish.ts): after a PUBACK the same id is a new message
   * [MQTT-4.3.2-2], so a stored one could take a new message for a resend after a crash
   * and lose it; they live in memory until the PUBACK (README.md, "What is promised
   * when"), and restore.ts ignores any an earlier version stored.
   * `slot`: the message's (lib/ack-slot.ts); a store whose write holds its effects too
   * does not write the id when the slot reports one of them refused in that very write, so
   * a crash before the id is deleted cannot make the resend "already stored" (review-7 F10).
   */
  addInbound(clientId: string, id: InboundId, slot?: AckSlot): void;
  deleteInbound(clientId: string, packetId: number): void;

  /** Resolves when every mutation made before this call is durable; rejects if that write failed. */
  commit(): Promise<void>;
  /** Commits what is pending, then closes. */
  close(): Promise<void>;
}

// What plugs into the broker (issue 12): policy (authenticate, authorize publish,
// authorize subscribe, limits) and the hub's services (the Bus). The hub composes a
// list of hooks in broker/hub.ts, one file each; the broker asks them in order and
// the first refusal wins (mochi-mqtt hooks.go; aedes defaultOptions). Durable state is
// not a hook here but the BrokerStore (store.ts).
//
// A refusal carries a stable `code` for logs and tests, an MQTT 5 reason code, and
// the words a person reads. The broker turns the reason code into what the client's
// protocol can say: a CONNACK return code in 3.1.1 (0x86 → 4, 0x87 → 5, …), 0x80 in
// a 3.1.1 SUBACK, a closed connection for a refused 3.1.1 PUBLISH ([MQTT-3.3.5-2]).
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { QoS } from "mqtt-packet";
import type { AckSlot } from "../../lib/ack-slot";
import type { MessageProperties, StoredSubscription } from "./store";

/** MQTT 5 reason codes the hooks refuse with (MQTT 5.0 §2.4). */
export const ReasonCode = {
  unspecifiedError: 0x80,
  implementationSpecificError: 0x83,
  clientIdentifierNotValid: 0x85,
  badUserNameOrPassword: 0x86,
  notAuthorized: 0x87,
  serverUnavailable: 0x88,
  serverBusy: 0x89,
  banned: 0x8a,
  topicFilterInvalid: 0x8f,
  topicNameInvalid: 0x90,
  packetTooLarge: 0x95,
  messageRateTooHigh: 0x96,
  quotaExceeded: 0x97,
  connectionRateExceeded: 0x9f,
} as const;

export type Refusal = {
  /** Stable, for logs and tests: "publish-denied", "too-many-connections", … */
  code: string;
  /** The MQTT 5 reason code; the broker maps it for 3.1.1 clients. */
  reasonCode: number;
  message: string;
  /** Close the connection (with DISCONNECT and this reason code in MQTT 5) instead of refusing only the packet. */
  disconnect?: boolean;
};

/** What the hooks know of a connection. `principal` is what authenticate decided. */
export type ClientInfo<P> = {
  /** Unique per connection for the process's life (a client id can be taken over). */
  readonly connectionId: number;
  readonly clientId: string;
  readonly protocolVersion: 3 | 4 | 5;
  readonly username: string | undefined;
  readonly remoteAddress: string | undefined;
  /** The HTTP upgrade request, for MQTT over WebSocket. */
  readonly req: IncomingMessage | undefined;
  readonly principal: P;
  /** Closes this connection (MQTT 5: DISCONNECT with the reason code first). */
  close(reasonCode?: number, reason?: string): void;
  /**
   * Reads nothing more from this connection for `ms` (a later, longer call extends it):
   * TCP pushes back on the sender, which slows down instead of losing anything (limits:
   * a client past its publish rate). What was read already is handled. The broker's
   * connections all have it; optional for stand-ins that never read.
   */
  pauseReads?(ms: number): void;
};

/** An accepted application message, as the Bus hands it to the hub's services. */
export type PublishedMessage = {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly properties: MessageProperties;
  /** null: published by the hub itself (the Bus), not by a client. */
  readonly clientId: string | null;
  /**
   * A client's QoS 1/2 message: its acknowledgement waits for the store's next group commit
   * and reads this slot after it (lib/ack-slot.ts); a hook whose effect joins that group may
   * report a failure here instead of returning a promise. Absent otherwise.
   */
  readonly ackSlot?: AckSlot;
};

export type ConnectionOpening = {
  remoteAddress: string | undefined;
  req: IncomingMessage | undefined;
  connectionId: number;
  /** The connection's stream: destroying it closes the connection without a word (the peer has said nothing yet either). */
  stream: Duplex;
  /** True until its CONNECT arrives. */
  idle(): boolean;
};

export type AuthResult<P> = { ok: true; principal: P } | { ok: false; refusal: Refusal };

export interface BrokerHook<P> {
  /** A connection before its CONNECT is read (connection limits). */
  onConnectionOpen?(opening: ConnectionOpening): Refusal | null;
  /** A connection whose CONNECT was accepted, just before its CONNACK: a refusal is sent as the CONNACK (connection limits). */
  admit?(client: ClientInfo<P>): Refusal | null;
  /** Decides who a connection is, once, at CONNECT. The first hook that has this method decides. */
  authenticate?(
    client: Omit<ClientInfo<P>, "principal" | "close">,
    credentials: { username: string | undefined; password: Buffer | undefined },
  ): Promise<AuthResult<P>>;
  /**
   * Names who a principal is, for session ownership ("device:hall-sensor"): a session is
   * resumed or taken over only by a connection with the same owner (review-8 F7). The
   * first hook that has this method decides; without one, any connection may.
   */
  sessionOwner?(principal: P): string;
  /**
   * With sessionOwner: an owner whose sessions any other owner may start afresh (the old
   * session ends as by a clean start) instead of being refused: one that protects nothing,
   * like "anonymous", which anyone allowed in anonymously is.
   */
  ownerYields?(owner: string): boolean;
  /**
   * The principal as it is now, for a will published after its connection ended (review-8
   * F4): rights taken since CONNECT (a removed device account, an ended browser session, a
   * lower role) must not publish it. `principal`: the one authenticate decided, when this
   * process did; undefined for a session restored at start, which has only its `owner`.
   * null: no rights left, the will is dropped. The first hook that has this method decides;
   * without one, a will is published as authorised at CONNECT.
   */
  principalNow?(owner: string | null, principal: P | undefined): Promise<P | null>;
  authorizePublish?(client: ClientInfo<P>, message: { topic: string; qos: QoS; retain: boolean; payloadBytes: number }): Refusal | null;
  /** `subscriptionCount`: the client's subscriptions before this one (limits). */
  authorizeSubscribe?(client: ClientInfo<P>, subscription: StoredSubscription, subscriptionCount: number): Refusal | null;
  /**
   * Every accepted message, once, clients' and the hub's own. A returned promise is
   * the message's durable effect outside the broker (the recorder's history row): a
   * QoS 1/2 PUBLISH is acknowledged only after it resolves ("acknowledged means stored").
   */
  onPublished?(message: PublishedMessage): void | Promise<void>;
  /**
   * Whether a failure of this hook's onPublished effect (its promise's rejection, or the
   * error it put in the message's ackSlot) is for good: the message's own data was refused
   * (a reading the history database cannot hold), so no resend could ever store it. Such a
   * message is acknowledged to a 3.1.1 client, which cannot be told no and would resend it
   * for ever (ack-gate.ts); MQTT 5 clients hear 0x80.
   */
  refusedForGood?(error: Error): boolean;
  onConnected?(client: ClientInfo<P>): void;
  /** `reason`: a stable code, "client-disconnect", "keepalive-timeout", "taken-over", "refused:<code>", … */
  onDisconnected?(client: ClientInfo<P>, reason: string): void;
}

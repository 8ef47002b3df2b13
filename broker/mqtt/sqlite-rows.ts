// The broker's records as SQLite rows and back: the pure half of sqlite-store.ts.
// A message is seven columns (prefixed `will_` for a session's will); MQTT 5
// properties are one JSON column, with correlation data (bytes) as base64, so they
// come back exactly as published: absent ones absent, user properties given twice
// still an array in their order [MQTT-3.3.2-18].
import type {
  MessageProperties,
  OutgoingMessage,
  StoredMessage,
  StoredSession,
  StoredSubscription,
} from "./store";

export type MessageRow = {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: number;
  properties: string | null;
  expires_at: number | null;
  received_at: number;
};

export type SessionRow = {
  client_id: string;
  protocol_version: number;
  expiry_interval: number;
  disconnected_at: number | null;
  will_topic: string | null;
  will_payload: Buffer | null;
  will_qos: number | null;
  will_retain: number | null;
  will_properties: string | null;
  will_expires_at: number | null;
  will_received_at: number | null;
  will_delay: number | null;
  owner: string | null;
};

export type SubscriptionRow = {
  client_id: string;
  filter: string;
  qos: number;
  no_local: number;
  retain_as_published: number;
  retain_handling: number;
  subscription_id: number | null;
};

export type OutgoingRow = MessageRow & {
  client_id: string;
  seq: number;
  copy_qos: number;
  packet_id: number | null;
  state: string;
  subscription_ids: string | null;
};

export function encodeProperties(p: MessageProperties): string | null {
  const entries = Object.entries(p).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return null;
  const json: Record<string, unknown> = Object.fromEntries(entries);
  if (p.correlationData !== undefined) json.correlationData = p.correlationData.toString("base64");
  return JSON.stringify(json);
}

export function decodeProperties(text: string | null): MessageProperties {
  if (text === null) return {};
  const json = JSON.parse(text) as MessageProperties & { correlationData?: string | Buffer };
  if (typeof json.correlationData === "string") json.correlationData = Buffer.from(json.correlationData, "base64");
  return json as MessageProperties;
}

/** The payload is copied: the row is the message as it was when the broker handed it over. */
export function messageRow(m: StoredMessage): MessageRow {
  return {
    topic: m.topic,
    payload: Buffer.from(m.payload),
    qos: m.qos,
    retain: m.retain ? 1 : 0,
    properties: encodeProperties(m.properties),
    expires_at: m.expiresAt,
    received_at: m.receivedAt,
  };
}

export function messageFromRow(r: MessageRow): StoredMessage {
  return {
    topic: r.topic,
    payload: r.payload,
    qos: r.qos as StoredMessage["qos"],
    retain: r.retain === 1,
    properties: decodeProperties(r.properties),
    expiresAt: r.expires_at,
    receivedAt: r.received_at,
  };
}

export function sessionRow(s: StoredSession): SessionRow {
  const will = s.will === null ? null : messageRow(s.will);
  return {
    client_id: s.clientId,
    protocol_version: s.protocolVersion,
    expiry_interval: s.expiryInterval,
    disconnected_at: s.disconnectedAt,
    will_topic: will?.topic ?? null,
    will_payload: will?.payload ?? null,
    will_qos: will?.qos ?? null,
    will_retain: will?.retain ?? null,
    will_properties: will?.properties ?? null,
    will_expires_at: will?.expires_at ?? null,
    will_received_at: will?.received_at ?? null,
    will_delay: s.will?.delaySeconds ?? null,
    owner: s.owner,
  };
}

export function sessionFromRow(r: SessionRow): StoredSession {
  const will =
    r.will_topic === null
      ? null
      : {
          ...messageFromRow({
            topic: r.will_topic,
            payload: r.will_payload!,
            qos: r.will_qos!,
            retain: r.will_retain!,
            properties: r.will_properties,
            expires_at: r.will_expires_at,
            received_at: r.will_received_at!,
          }),
          delaySeconds: r.will_delay!,
        };
  return {
    clientId: r.client_id,
    protocolVersion: r.protocol_version as StoredSession["protocolVersion"],
    expiryInterval: r.expiry_interval,
    disconnectedAt: r.disconnected_at,
    will,
    owner: r.owner ?? null,
  };
}

export function subscriptionRow(clientId: string, s: StoredSubscription): SubscriptionRow {
  return {
    client_id: clientId,
    filter: s.filter,
    qos: s.qos,
    no_local: s.noLocal ? 1 : 0,
    retain_as_published: s.retainAsPublished ? 1 : 0,
    retain_handling: s.retainHandling,
    subscription_id: s.subscriptionId,
  };
}

export function subscriptionFromRow(r: SubscriptionRow): StoredSubscription {
  return {
    filter: r.filter,
    qos: r.qos as StoredSubscription["qos"],
    noLocal: r.no_local === 1,
    retainAsPublished: r.retain_as_published === 1,
    retainHandling: r.retain_handling as StoredSubscription["retainHandling"],
    subscriptionId: r.subscription_id,
  };
}

export function outgoingRow(clientId: string, o: OutgoingMessage): OutgoingRow {
  return {
    ...messageRow(o.message),
    client_id: clientId,
    seq: o.seq,
    copy_qos: o.qos,
    packet_id: o.packetId,
    state: o.state,
    subscription_ids: o.subscriptionIds.length === 0 ? null : JSON.stringify(o.subscriptionIds),
  };
}

export function outgoingFromRow(r: OutgoingRow): OutgoingMessage {
  return {
    seq: r.seq,
    message: messageFromRow(r),
    qos: r.copy_qos as OutgoingMessage["qos"],
    packetId: r.packet_id,
    state: r.state as OutgoingMessage["state"],
    subscriptionIds: r.subscription_ids === null ? [] : (JSON.parse(r.subscription_ids) as number[]),
  };
}

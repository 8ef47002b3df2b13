// The protocol steps cases are written in, over a RawClient: subscribe, publish at
// each QoS with its acknowledgement flow, and what arrived, with topic aliases
// resolved the way a receiver must [MQTT-3.3.2-12]. Each returns what the broker
// answered (a reason code, a packet, or null when nothing came), never throws on
// a broker's refusal, so a case can record the refusal as its observation.
import type { IPublishPacket, IPubrecPacket, ISubackPacket, ISubscription, IUnsubackPacket, Packet, QoS } from "mqtt-packet";
import type { RawClient } from "./raw-client";

type PublishProperties = NonNullable<IPublishPacket["properties"]>;
type SubscribeProperties = { subscriptionIdentifier?: number; userProperties?: Record<string, string | string[]> };

/** SUBSCRIBE; the SUBACK's granted QoS / reason codes, or null when none came (the connection closed). */
export async function subscribe(
  client: RawClient,
  subscriptions: ISubscription[] | string,
  qos: QoS = 1,
  properties?: SubscribeProperties,
): Promise<number[] | null> {
  const messageId = client.messageId();
  const list = typeof subscriptions === "string" ? [{ topic: subscriptions, qos }] : subscriptions;
  client.send({ cmd: "subscribe", messageId, subscriptions: list, ...(properties ? { properties } : {}) });
  const suback = (await client.next((p) => p.cmd === "suback" && p.messageId === messageId)) as ISubackPacket | null;
  return suback ? suback.granted.map((g) => (typeof g === "number" ? g : (g as { qos: number }).qos)) : null;
}

export async function unsubscribe(client: RawClient, topics: string[]): Promise<IUnsubackPacket | null> {
  const messageId = client.messageId();
  client.send({ cmd: "unsubscribe", messageId, unsubscriptions: topics });
  return (await client.next((p) => p.cmd === "unsuback" && p.messageId === messageId)) as IUnsubackPacket | null;
}

export type Published = {
  /** PUBACK / PUBREC reason code (0 in 3.1.1), or "closed" / "no-ack" when none came. */
  ack: number | "closed" | "no-ack";
  /** QoS 2: the PUBCOMP's reason code. */
  complete?: number | "closed" | "no-ack";
};

const missing = (client: RawClient) => (client.closed ? "closed" : "no-ack");

/** PUBLISH and its acknowledgement flow: nothing for QoS 0, PUBACK for 1, PUBREC/PUBREL/PUBCOMP for 2. */
export async function publish(
  client: RawClient,
  topic: string,
  payload: string | Buffer,
  options: { qos?: QoS; retain?: boolean; properties?: PublishProperties } = {},
): Promise<Published> {
  const qos = options.qos ?? 0;
  const messageId = qos > 0 ? client.messageId() : undefined;
  client.send({
    cmd: "publish",
    topic,
    payload: typeof payload === "string" ? Buffer.from(payload) : payload,
    qos,
    retain: options.retain ?? false,
    dup: false,
    ...(messageId !== undefined ? { messageId } : {}),
    ...(options.properties ? { properties: options.properties } : {}),
  });
  if (qos === 0) return { ack: 0 };
  const ackCmd = qos === 1 ? "puback" : "pubrec";
  const ack = (await client.next((p) => p.cmd === ackCmd && p.messageId === messageId)) as IPubrecPacket | null;
  if (!ack) return { ack: missing(client) };
  const code = ack.reasonCode ?? 0;
  if (qos === 1 || code >= 0x80) return { ack: code };
  client.send({ cmd: "pubrel", messageId: messageId! });
  const comp = (await client.next((p) => p.cmd === "pubcomp" && p.messageId === messageId)) as (Packet & { reasonCode?: number }) | null;
  return { ack: code, complete: comp ? (comp.reasonCode ?? 0) : missing(client) };
}

/** Acknowledges a received QoS 1 or 2 PUBLISH the way a well-behaved receiver does. */
export async function acknowledge(client: RawClient, packet: IPublishPacket): Promise<void> {
  if (packet.qos === 1) client.send({ cmd: "puback", messageId: packet.messageId! });
  if (packet.qos !== 2) return;
  client.send({ cmd: "pubrec", messageId: packet.messageId! });
  await client.next((p) => p.cmd === "pubrel" && p.messageId === packet.messageId);
  client.send({ cmd: "pubcomp", messageId: packet.messageId! });
}

/** A received application message, its topic alias resolved. */
export type Message = {
  topic: string;
  payload: string;
  qos: QoS;
  retain: boolean;
  properties: PublishProperties;
  packet: IPublishPacket;
};

/**
 * The PUBLISHes received so far (after a settle()), in order, each acknowledged;
 * topic aliases are resolved per connection: an alias with a topic sets it, an
 * alias with an empty topic uses it [MQTT-3.3.2-12].
 */
export async function received(client: RawClient, options: { acknowledge?: boolean } = {}): Promise<Message[]> {
  const aliases = aliasTable(client);
  const out: Message[] = [];
  for (const packet of client.drain("publish") as IPublishPacket[]) {
    const alias = packet.properties?.topicAlias;
    let topic = packet.topic;
    if (alias !== undefined) {
      if (topic) aliases.set(alias, topic);
      else topic = aliases.get(alias) ?? `<unknown alias ${alias}>`;
    }
    out.push({ topic, payload: packet.payload.toString(), qos: packet.qos, retain: packet.retain, properties: packet.properties ?? {}, packet });
    if (options.acknowledge !== false) await acknowledge(client, packet);
  }
  return out;
}

const aliasTables = new WeakMap<RawClient, Map<number, string>>();
function aliasTable(client: RawClient): Map<number, string> {
  let table = aliasTables.get(client);
  if (!table) aliasTables.set(client, (table = new Map()));
  return table;
}

/** "topic payload" lines, the usual shape of an observation of what arrived. */
export const lines = (messages: Message[]) => messages.map((m) => `${m.topic} ${m.payload}`);

/** The reason code of the DISCONNECT the broker sent before closing, "closed" without one, "open" if it did not close. */
export async function serverDisconnect(client: RawClient, timeoutMs?: number): Promise<number | "closed" | "open"> {
  const closed = await client.waitClosed(timeoutMs);
  const disconnect = client.received.find((p) => p.cmd === "disconnect") as (Packet & { reasonCode?: number }) | undefined;
  if (disconnect) return disconnect.reasonCode ?? 0;
  return closed ? "closed" : "open";
}

/**
 * Publishes a marker at QoS 1 to a topic this client subscribes to and waits for it
 * to come back: the broker routes in order, so whatever it sent this client before
 * the marker has arrived by then. Returns those messages (acknowledged).
 */
export async function untilMarker(client: RawClient, topic: string): Promise<Message[]> {
  const payload = `marker ${client.messageId()}`;
  await publish(client, topic, payload, { qos: 1 });
  const echo = (await client.next((p) => p.cmd === "publish" && p.payload.toString() === payload)) as IPublishPacket | null;
  if (echo) await acknowledge(client, echo);
  const before = await received(client);
  return echo ? before : [...before, { topic, payload: "<marker never came>", qos: 0, retain: false, properties: {}, packet: null as never }];
}

/** DISCONNECT (MQTT 5: with a reason code and properties), close our side, and wait until the connection is closed. */
export async function disconnect(client: RawClient, reasonCode = 0, properties?: { sessionExpiryInterval?: number }): Promise<void> {
  client.send(client.protocolVersion === 5 ? { cmd: "disconnect", reasonCode, ...(properties ? { properties } : {}) } : { cmd: "disconnect" });
  client.finish();
  if (!(await client.waitClosed())) client.close();
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Every message the broker has for this client, acknowledging as they come: a
 * broker holding messages back for flow control (its in-flight window) sends the
 * next ones on each acknowledgement, before the PINGRESP that follows it.
 */
export async function receiveAll(client: RawClient): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    if (!(await client.settle())) return all;
    const batch = await received(client);
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

// Real MQTT clients for the access and broker specs: connect as someone, and try a
// subscribe or a publish, reporting what the hub did rather than throwing.
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { expect } from "@playwright/test";

export type Outcome = "allowed" | "refused";

const BASE: IClientOptions = { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4 };

export async function connect(url: string, options: IClientOptions = {}): Promise<MqttClient> {
  // allowRetries=false: a connection closed before CONNACK (a refused WebSocket upgrade) rejects.
  return mqtt.connectAsync(url, { ...BASE, ...options }, false);
}

/** Connects, and reports the CONNACK refusal code or the transport error instead of throwing. */
export async function tryConnect(url: string, options: IClientOptions = {}): Promise<{ client: MqttClient } | { error: Error & { code?: number | string } }> {
  try {
    return { client: await connect(url, options) };
  } catch (error) {
    return { error: error as Error };
  }
}

/** Subscribes at QoS 1; "refused" when the SUBACK says 0x80 (MQTT 3.1.1 §3.9.3). */
export async function trySubscribe(client: MqttClient, filter: string): Promise<Outcome> {
  try {
    const granted = await client.subscribeAsync(filter, { qos: 1 });
    return granted.every((g) => g.qos !== 128) ? "allowed" : "refused";
  } catch {
    return "refused";
  }
}

/**
 * Publishes at QoS 1 on a connection of its own: "allowed" when the hub acknowledges
 * it, "refused" when it closes the connection instead (MQTT 3.1.1 §3.3.5: the only
 * way a broker can refuse a PUBLISH).
 */
export async function tryPublish(open: () => Promise<MqttClient>, topic: string, payload: string): Promise<Outcome> {
  const client = await open();
  try {
    return await new Promise<Outcome>((resolve) => {
      client.once("close", () => resolve("refused"));
      client.publish(topic, payload, { qos: 1 }, (error) => resolve(error ? "refused" : "allowed"));
    });
  } finally {
    await client.endAsync(true);
  }
}

/** Collects every message a client receives, for assertions on what arrived. */
export function collect(client: MqttClient): { topic: string; payload: string; retain: boolean }[] {
  const seen: { topic: string; payload: string; retain: boolean }[] = [];
  client.on("message", (topic, payload, packet) => seen.push({ topic, payload: payload.toString(), retain: packet.retain }));
  return seen;
}

export async function expectReceived(seen: { topic: string; payload: string }[], topic: string, payload: string) {
  await expect.poll(() => seen.some((m) => m.topic === topic && m.payload === payload)).toBe(true);
}

// The broker's limits, each with a stable code in the log: packet size (read off
// the fixed header, packet-scanner.ts), connections, publishes per second per
// client, subscriptions per client, and CONNECT timeout (aedes's own timer, named
// here). A client past a limit is disconnected; everyone else carries on.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { Aedes, Client, PublishPacket, Subscription } from "aedes";
import type { BrokerLimits } from "../lib/config";
import type { Logger } from "../lib/log";
import { createPacketScanner } from "./packet-scanner";

export type LimitCode =
  | "too-many-connections"
  | "packet-too-large"
  | "malformed-length"
  | "publish-rate-exceeded"
  | "too-many-subscriptions"
  | "connect-timeout"
  | "malformed-packet";

/** A token bucket holding one second's allowance: bursts up to the rate, then the rate. */
export type Bucket = { tokens: number; at: number };

export function takeToken(bucket: Bucket, now: number, perSecond: number): boolean {
  bucket.tokens = Math.min(perSecond, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
  bucket.at = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

const limitError = (code: LimitCode, message: string) => Object.assign(new Error(message), { code });

/** A code for the errors aedes reports on a connection, so every refusal in the log has one. */
export function errorCode(error: Error & { code?: unknown }): string {
  if (typeof error.code === "string") return error.code;
  if (/connect did not arrive in time/.test(error.message)) return "connect-timeout";
  if (/keep ?alive/i.test(error.message)) return "keepalive-timeout";
  if (/Invalid|Malformed|not supported|Unknown|protocol|header|length/i.test(error.message)) return "malformed-packet";
  return "connection-error";
}

export function createBrokerLimits(limits: BrokerLimits, log: Logger, now: () => number = Date.now) {
  let live = 0;
  const buckets = new WeakMap<Client, Bucket>();

  /** Wraps broker.handle: counts connections, and watches every byte read for an oversized header. */
  const guard = (broker: Aedes) => (conn: Duplex, req?: IncomingMessage) => {
    const address = req?.socket.remoteAddress ?? (conn as { remoteAddress?: string }).remoteAddress;
    if (live >= limits.maxConnections) {
      log.warn("connection refused", { code: "too-many-connections", address, limit: limits.maxConnections });
      conn.destroy();
      return;
    }
    live += 1;
    let counted = true;
    const release = () => {
      if (counted) live -= 1;
      counted = false;
    };
    conn.once("close", release);
    const client = broker.handle(conn, req);
    // Added after aedes's "readable" listener, so it observes each chunk as aedes reads it
    // (read() emits "data") without switching the stream to flowing mode.
    const scanner = createPacketScanner(limits.maxPacketBytes);
    conn.on("data", (chunk: Buffer) => {
      const problem = scanner.feed(chunk);
      if (!problem || conn.destroyed) return;
      log.warn("disconnecting a client", { code: problem.code, client: client?.id || undefined, address, reason: problem.message });
      conn.destroy();
    });
  };

  const checkPublish = (client: Client, _packet: PublishPacket): Error | null => {
    let bucket = buckets.get(client);
    if (!bucket) {
      bucket = { tokens: limits.maxPublishesPerSecond, at: now() };
      buckets.set(client, bucket);
    }
    if (takeToken(bucket, now(), limits.maxPublishesPerSecond)) return null;
    log.warn("disconnecting a client", { code: "publish-rate-exceeded", client: client.id, limit: limits.maxPublishesPerSecond });
    return limitError("publish-rate-exceeded", `more than ${limits.maxPublishesPerSecond} publishes a second`);
  };

  const checkSubscribe = (client: Client, sub: Subscription): Error | null => {
    const subscriptions = (client as Client & { subscriptions: Record<string, unknown> }).subscriptions;
    if (sub.topic in subscriptions || Object.keys(subscriptions).length < limits.maxSubscriptionsPerClient) return null;
    log.warn("disconnecting a client", { code: "too-many-subscriptions", client: client.id, limit: limits.maxSubscriptionsPerClient });
    return limitError("too-many-subscriptions", `more than ${limits.maxSubscriptionsPerClient} subscriptions`);
  };

  return { guard, checkPublish, checkSubscribe, liveConnections: () => live };
}

// The broker's limits as a hook, each refusal with a stable code in the log and an
// MQTT 5 reason code on the wire: connections (all listeners together), publishes
// per second per client, subscriptions per client. A client past a limit is
// disconnected (MQTT 5: DISCONNECT with the reason code first); everyone else carries
// on. Packet size and the CONNECT timeout are the broker's own limits (createBroker's
// `limits`), read off the fixed header and timed there.
import type { Duplex } from "node:stream";
import type { Principal } from "../lib/auth/roles";
import type { HubLimits } from "../lib/config";
import type { Logger } from "../lib/log";
import { ReasonCode, type BrokerHook, type Refusal } from "./mqtt/hooks";

export type LimitCode = "too-many-connections" | "publish-rate-exceeded" | "too-many-subscriptions";

/** A token bucket holding one second's allowance: bursts up to the rate, then the rate. */
export type Bucket = { tokens: number; at: number };

export function takeToken(bucket: Bucket, now: number, perSecond: number): boolean {
  bucket.tokens = Math.min(perSecond, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
  bucket.at = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

const limitRefusal = (code: LimitCode, reasonCode: number, message: string): Refusal => ({ code, reasonCode, message, disconnect: true });

export type Limits = BrokerHook<Principal> & {
  /** Counts a connection from the moment a listener has it until its stream closes (the I/O edge, in hub.ts). */
  count(stream: Duplex): void;
  liveConnections(): number;
};

export function createLimits(limits: Pick<HubLimits, "maxConnections" | "maxPublishesPerSecond" | "maxSubscriptionsPerClient">, log: Logger, now: () => number = Date.now): Limits {
  let live = 0;
  const buckets = new Map<number, Bucket>();

  return {
    count(stream) {
      live += 1;
      stream.once("close", () => (live -= 1));
    },
    liveConnections: () => live,

    // The stream was counted before the broker opened it: past the limit, this one is the
    // extra. The broker logs the refusal (broker.ts), with this message as its reason.
    onConnectionOpen() {
      if (live <= limits.maxConnections) return null;
      return limitRefusal("too-many-connections", ReasonCode.serverBusy, `more than ${limits.maxConnections} connections`);
    },

    authorizePublish(client) {
      let bucket = buckets.get(client.connectionId);
      if (!bucket) {
        bucket = { tokens: limits.maxPublishesPerSecond, at: now() };
        buckets.set(client.connectionId, bucket);
      }
      if (takeToken(bucket, now(), limits.maxPublishesPerSecond)) return null;
      log.warn("disconnecting a client", { code: "publish-rate-exceeded", client: client.clientId, limit: limits.maxPublishesPerSecond });
      return limitRefusal("publish-rate-exceeded", ReasonCode.messageRateTooHigh, `more than ${limits.maxPublishesPerSecond} publishes a second`);
    },

    // `subscriptionCount` holds the client's other filters: subscribing again to one it holds replaces it [MQTT-3.8.4-3].
    authorizeSubscribe(client, _subscription, subscriptionCount) {
      if (subscriptionCount < limits.maxSubscriptionsPerClient) return null;
      log.warn("disconnecting a client", { code: "too-many-subscriptions", client: client.clientId, limit: limits.maxSubscriptionsPerClient });
      return limitRefusal("too-many-subscriptions", ReasonCode.quotaExceeded, `more than ${limits.maxSubscriptionsPerClient} subscriptions`);
    },

    onDisconnected(client) {
      buckets.delete(client.connectionId);
    },
  };
}

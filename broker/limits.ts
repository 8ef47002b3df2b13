// The broker's limits as a hook, each with a stable code in the log: connections,
// publishes per second per client, subscriptions per client. Packet size and the CONNECT
// timeout are the broker's own limits (createBroker's `limits`), read off the fixed
// header and timed there.
//
// The publish rate slows a client down, it never cuts it off (review 10, F6): a home
// gateway is one client carrying a whole network, and Zigbee2MQTT sends one retained
// discovery config per entity back to back at its first start, after every upgrade and
// every Home Assistant birth (thousands), and drops whatever it publishes while
// disconnected. Mosquitto has no per-client publish rate at all. So the bucket holds a
// burst of thousands, refills at a sustained rate, and a client past it has its socket
// left unread until the bucket refills: TCP pushes back on the sender, nothing is lost.
// Subscriptions past the limit are refused one filter at a time (SUBACK 0x97, 3.1.1
// 0x80), not by a disconnect that the client would answer by sending the same
// SUBSCRIBE again, forever (review 10, F7).
//
// Connections are counted in two pools (review 8, F11: 500 idle sockets from a stranger
// held every slot, and every device and the dashboard were refused):
// - waiting: accepted, no CONNECT yet. A small pool with a share per address; when it is
//   full the *oldest* waiting socket is closed, never the new one, so a stranger holding
//   sockets open only ever pushes out his own stale ones, and a device that sends its
//   CONNECT at once (all of them do) gets in. Once its CONNECT arrives a connection
//   leaves this pool: the password throttle and the authentication timeout bound it.
// - admitted: authenticated, counted against maxConnections when its CONNACK is decided.
import type { Duplex } from "node:stream";
import type { Principal } from "../lib/auth/roles";
import type { HubLimits } from "../lib/config";
import type { Logger } from "../lib/log";
import { ReasonCode, type BrokerHook, type Refusal } from "./mqtt/hooks";

export type LimitCode = "too-many-connections" | "publish-rate-exceeded" | "too-many-subscriptions";

/** A token bucket: up to `burst` publishes at once, then `perSecond`. */
export type Bucket = { tokens: number; at: number };

/**
 * Takes a token, into debt if there is none (the publish was read already and goes
 * through); returns how long the client's socket should rest before the bucket is out
 * of debt, in ms, 0 if it need not.
 */
export function takeToken(bucket: Bucket, now: number, perSecond: number, burst: number): number {
  bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
  bucket.at = now;
  bucket.tokens -= 1;
  return bucket.tokens >= 0 ? 0 : Math.ceil((-bucket.tokens / perSecond) * 1000);
}

const limitRefusal = (code: LimitCode, reasonCode: number, message: string): Refusal => ({ code, reasonCode, message, disconnect: true });

/**
 * Sockets that have not sent CONNECT yet. An honest client sends it within a round trip,
 * so a handful per address covers a whole household reconnecting at once (a hub restart;
 * a reverse proxy on the hub's machine, which makes every /mqtt browser 127.0.0.1);
 * twenty per address and a hundred in all are far above that and far below maxConnections
 * (500), whose admitted slots they can no longer take. A socket is "idle" once it has
 * waited `graceMs`: a burst of honest handshakes (25 at once in bench/lib/mqtt-load.ts) is
 * accepted before any of their CONNECTs is read, and must not be mistaken for a stranger's.
 * Past `hardFactor` times the shares the oldest goes regardless, so a burst cannot hold
 * file descriptors without bound either.
 */
export const WAITING = { perAddress: 20, total: 100, graceMs: 1000, hardFactor: 5 };
/** One `preauth-limit` line per address (and one rate or subscription line per connection) per this long: a flood is one line a minute. */
const LOG_EVERY_MS = 60_000;
export type Limits = BrokerHook<Principal> & {
  /** How many connections wait for their CONNECT, and how many are admitted. */
  connections(): { waiting: number; admitted: number };
};

type Waiting = { address: string; stream: Duplex; idle(): boolean; at: number };

export function createLimits(
  limits: Pick<HubLimits, "maxConnections" | "maxPublishesPerSecond" | "publishBurst" | "maxSubscriptionsPerClient">,
  log: Logger,
  now: () => number = Date.now,
  waitingLimits: typeof WAITING = WAITING,
): Limits {
  /** By connection id, oldest first (a Map keeps insertion order). */
  const waiting = new Map<number, Waiting>();
  const admitted = new Set<number>();
  const loggedAt = new Map<string, number>();
  const buckets = new Map<number, Bucket>();
  /** When each connection was last logged as slowed down or refused a subscription. */
  const limitLoggedAt = new Map<string, number>();
  /** Whether a line for `key` (a code and a connection) is due: the first, then one a minute. */
  const logDue = (key: string): boolean => {
    const last = limitLoggedAt.get(key);
    if (last !== undefined && now() - last < LOG_EVERY_MS) return false;
    limitLoggedAt.set(key, now());
    return true;
  };

  /** The oldest of `ids` (oldest first) to close for a share of `cap`, if one should go. */
  const toClose = (ids: number[], cap: number): number | undefined => {
    if (ids.length <= cap) return undefined;
    const oldest = ids[0];
    return ids.length > cap * waitingLimits.hardFactor || now() - waiting.get(oldest)!.at >= waitingLimits.graceMs ? oldest : undefined;
  };
  const close = (id: number, reason: string) => {
    const oldest = waiting.get(id)!;
    waiting.delete(id);
    oldest.stream.destroy();
    const last = loggedAt.get(oldest.address);
    if (last !== undefined && now() - last < LOG_EVERY_MS) return;
    if (loggedAt.size >= 10_000) loggedAt.clear(); // bounded under a spray of addresses
    loggedAt.set(oldest.address, now());
    log.warn("closing the oldest connection that sent no CONNECT", { code: "preauth-limit", address: oldest.address, reason });
  };
  const fromAddress = (address: string) => [...waiting].filter(([, w]) => w.address === address).map(([id]) => id);

  return {
    connections: () => ({ waiting: waiting.size, admitted: admitted.size }),

    // Never refuses: past a share, the oldest waiting socket makes room.
    onConnectionOpen({ connectionId, stream, remoteAddress, idle }) {
      for (const [id, w] of waiting) if (!w.idle()) waiting.delete(id); // sent CONNECT meanwhile
      const address = remoteAddress ?? "unknown";
      waiting.set(connectionId, { address, stream, idle, at: now() });
      stream.once("close", () => {
        waiting.delete(connectionId);
        admitted.delete(connectionId);
      });
      const { perAddress, total } = waitingLimits;
      let id: number | undefined;
      while ((id = toClose(fromAddress(address), perAddress)) !== undefined) close(id, `more than ${perAddress} connections from one address sent no CONNECT`);
      while ((id = toClose([...waiting.keys()], total)) !== undefined) close(id, `more than ${total} connections sent no CONNECT`);
      return null;
    },

    // The broker logs the refusal as it closes the connection; this line keeps the address and the limit.
    admit(client) {
      waiting.delete(client.connectionId);
      if (admitted.size >= limits.maxConnections) {
        const reason = `more than ${limits.maxConnections} connections`;
        log.warn("connection refused", { code: "too-many-connections", address: client.remoteAddress, reason });
        return limitRefusal("too-many-connections", ReasonCode.serverBusy, reason);
      }
      admitted.add(client.connectionId);
      return null;
    },

    authorizePublish(client) {
      let bucket = buckets.get(client.connectionId);
      if (!bucket) {
        bucket = { tokens: limits.publishBurst, at: now() };
        buckets.set(client.connectionId, bucket);
      }
      const restMs = takeToken(bucket, now(), limits.maxPublishesPerSecond, limits.publishBurst);
      if (restMs === 0) return null;
      client.pauseReads?.(restMs);
      if (logDue(`rate ${client.connectionId}`)) {
        log.warn("slowing a client down", { code: "publish-rate-exceeded", client: client.clientId, limit: limits.maxPublishesPerSecond, burst: limits.publishBurst });
      }
      return null;
    },

    // `subscriptionCount` holds the client's other filters: subscribing again to one it holds replaces it [MQTT-3.8.4-3].
    authorizeSubscribe(client, _subscription, subscriptionCount) {
      if (subscriptionCount < limits.maxSubscriptionsPerClient) return null;
      if (logDue(`subscriptions ${client.connectionId}`)) {
        log.warn("refusing a subscription", { code: "too-many-subscriptions", client: client.clientId, limit: limits.maxSubscriptionsPerClient });
      }
      return { code: "too-many-subscriptions", reasonCode: ReasonCode.quotaExceeded, message: `more than ${limits.maxSubscriptionsPerClient} subscriptions` };
    },

    onDisconnected(client) {
      admitted.delete(client.connectionId);
      buckets.delete(client.connectionId);
      limitLoggedAt.delete(`rate ${client.connectionId}`);
      limitLoggedAt.delete(`subscriptions ${client.connectionId}`);
    },
  };
}

// createBroker: Hearth's MQTT broker, 3.1.1 and 5.0 (issue 12; README.md beside this
// file). The hub hands it connections (TCP, TLS, WebSocket streams) and plugs policy and
// services in as hooks; its state lives in a BrokerStore and is restored here before
// the first connection.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { QoS } from "mqtt-packet";
import { createLogger, type Logger } from "../../lib/log";
import { checkTopicName } from "../../lib/topics";
import { Client } from "./client";
import { Core, DEFAULT_LIMITS, type BrokerLimits, type BrokerStats } from "./core";
import type { BrokerHook } from "./hooks";
import { RC } from "./reason-codes";
import { restore } from "./restore";
import { endSessionNow } from "./lifecycle";
import type { BrokerStore, MessageProperties, StoredMessage } from "./store";
import { startSys } from "./sys";

export type { BrokerLimits, BrokerStats } from "./core";

export type BrokerOptions<P> = {
  /** Asked in order; the first refusal wins (hooks.ts). */
  hooks?: BrokerHook<P>[];
  store: BrokerStore;
  limits?: Partial<BrokerLimits>;
  log?: Logger;
  /** How often $SYS/broker/… statistics are published (Mosquitto's sys_interval: 10 s). */
  sysIntervalMs?: number;
};

/** The hub's own publish (the Bus). */
export type PublishInput = {
  topic: string;
  payload: Buffer | string;
  qos?: QoS;
  retain?: boolean;
  properties?: MessageProperties;
  /** Seconds (MQTT 5 Message Expiry Interval). */
  messageExpiryInterval?: number;
};

export type SessionInfo<P> = {
  clientId: string;
  owner: string | null;
  connected: boolean;
  /** Epoch ms its connection ended; null while connected. */
  disconnectedAt: number | null;
  principal: P | undefined;
};

export type Broker<P = unknown> = {
  /**
   * A connection: a socket or a WebSocket stream. Never throws. `maxPacketBytes` lowers
   * the limit for this connection (a transport that carries less, like a WebSocket with
   * a smaller maxPayload): MQTT 5 clients are told it in CONNACK.
   */
  handle(stream: Duplex, req?: IncomingMessage, options?: { maxPacketBytes?: number }): void;
  /** Resolves when the message's durable effects have committed (retained, queued copies, onPublished promises). */
  publish(message: PublishInput): Promise<void>;
  /** Every session, connected or kept, and who it is (the principal only for connections made by this process). */
  sessions(): SessionInfo<P>[];
  /**
   * Ends a session now (lifecycle.ts endSessionNow): its connection closes with `reason`, its
   * subscriptions, queue and stored row go, its will goes out if its principal may still send
   * it (will-rights.ts). False when there is no such session.
   */
  endSession(clientId: string, reason: { reasonCode: number; message: string; code: string }): boolean;
  /** MQTT 5 clients get DISCONNECT 0x8B; sessions and wills stay stored for the next start. The store is the caller's to close. */
  close(): Promise<void>;
  stats(): BrokerStats;
  /**
   * The retained messages a new subscription to `filter` would get [MQTT-3.3.1-6]
   * (restored from the store at start, or published since): the local bus hands them to
   * a hub service that subscribes, as a real broker does to a client.
   */
  retained(filter: string): StoredMessage[];
};

export class PublishError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function createBroker<P>(options: BrokerOptions<P>): Promise<Broker<P>> {
  const log = options.log ?? createLogger("mqtt");
  const core = new Core<P>(options.store, options.hooks ?? [], { ...DEFAULT_LIMITS, ...options.limits }, log);
  restore(core, await options.store.load(), Date.now());
  const stopSys = startSys(core, options.sysIntervalMs ?? 10_000);

  const handle = (stream: Duplex, req?: IncomingMessage, connection?: { maxPacketBytes?: number }) => {
    try {
      if (core.closing) {
        stream.destroy();
        return;
      }
      const remoteAddress = (stream as { remoteAddress?: string }).remoteAddress ?? req?.socket.remoteAddress;
      const maxPacketBytes = Math.min(connection?.maxPacketBytes ?? Infinity, core.limits.maxPacketBytes);
      const client = new Client<P>(core, stream, req, maxPacketBytes);
      const opening = { remoteAddress, req, connectionId: client.connectionId, stream, idle: () => client.state === "connecting" };
      for (const hook of core.hooks) {
        const refusal = hook.onConnectionOpen?.(opening);
        if (refusal) {
          log.warn("connection refused", { code: refusal.code, address: remoteAddress, reason: refusal.message });
          stream.destroy();
          return;
        }
      }
      core.clients.add(client);
    } catch (error) {
      log.error("could not take a connection", { code: "handle-failed", error: (error as Error).message });
      stream.destroy();
    }
  };

  const publish = async (input: PublishInput) => {
    const check = checkTopicName(input.topic);
    if (!check.ok) throw new PublishError("topic-name-invalid", `cannot publish to ${JSON.stringify(input.topic)}: ${check.reason}`);
    const now = Date.now();
    const message: StoredMessage = {
      topic: input.topic,
      payload: typeof input.payload === "string" ? Buffer.from(input.payload) : input.payload,
      qos: input.qos ?? 0,
      retain: input.retain ?? false,
      properties: input.properties ?? {},
      expiresAt: input.messageExpiryInterval === undefined ? null : now + input.messageExpiryInterval * 1000,
      receivedAt: now,
    };
    const effects = core.accept(message, null);
    await Promise.all(effects ? [core.store.commit(), ...effects] : [core.store.commit()]);
  };

  const close = async () => {
    if (core.closing) return;
    core.closing = true;
    stopSys();
    for (const client of [...core.clients]) client.disconnect(RC.serverShuttingDown, "the broker is shutting down", "server-shutdown");
    for (const session of core.sessions.values()) session.clearTimers();
    await core.store.commit();
  };

  const sessions = (): SessionInfo<P>[] =>
    [...core.sessions.values()].map((s) => ({
      clientId: s.clientId,
      owner: s.owner,
      connected: s.connection !== null,
      disconnectedAt: s.disconnectedAt,
      principal: s.principal as P | undefined,
    }));
  const endSession: Broker<P>["endSession"] = (clientId, reason) => !core.closing && endSessionNow(core, clientId, reason);

  const retained = (filter: string) => {
    const found: StoredMessage[] = [];
    core.matchRetained(filter, Date.now(), (message) => found.push(message));
    return found;
  };

  return { handle, publish, close, sessions, endSession, stats: () => core.stats(), retained };
}

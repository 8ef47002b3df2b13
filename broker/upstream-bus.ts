// The Bus on the user's own broker (issue 14): one mqtt.js client with a persistent
// session, so a Hearth restart loses nothing the broker queued for it.
//  - Clean start off (3.1.1: clean session 0), a fixed client id and, in MQTT 5, a
//    session expiry: the broker keeps the subscription and queues QoS 1 messages while
//    Hearth is away [MQTT-3.1.2-4], [MQTT-3.1.2-23].
//  - One QoS 1 subscription to `#`, made on the first connection of the process and
//    whenever the broker has no session for us; the bus hands each message to the
//    handlers whose filters match, like the local bus. One subscription, so a changed
//    set of service filters never leaves an old one in the stored session.
//  - The PUBACK for a QoS 1 message goes out only after the handlers' effects (the
//    recorder's history row) resolve: "acknowledged means stored", as on the embedded
//    broker. An effect that fails leaves the message unacknowledged; the broker sends
//    it again on the next connection [MQTT-4.4.0-1], which the bus then makes after a
//    back-off (review-6 #1). Later messages do not wait for it (upstream-acks.ts). A
//    reading the database refused for its own data is acknowledged (no redelivery could
//    store it), logged `history-refused` and counted (review-7 F3).
//  - Services subscribe before `start()` connects: a resumed session delivers the
//    queued messages right after CONNACK, and they must find every handler in place.
//  - Failures (wrong password, unreachable, lost) become an UpstreamStatus with a
//    stable code (upstream-status.ts) and retries with backoff, the same client, so
//    messages published meanwhile wait in its queue.
// As on the local bus, `#` does not match `$SYS/…` (MQTT 3.1.1 §4.7.2), and every
// service gets the retained copies: the SUBSCRIBE at start() sends them to all handlers
// in place (bus.ts; the local bus replays them to each new one, review-10 F15).
import mqtt, { type MqttClient } from "mqtt";
import { generate } from "mqtt-packet";
import type { Logger } from "../lib/log";
import { checkTopicName } from "../lib/topics";
import { shownUrl, type UpstreamConfig } from "../lib/upstream-config";
import type { Bus, BusClock, BusHandler, PublishOptions } from "./bus";
import { createBusHandlers } from "./bus-handlers";
import { createLogPace } from "./log-pace";
import { refusedForGood } from "./reading-not-stored";
import { createReplayWindow } from "./replayed-reading";
import { createOrderedAcks, createRedelivery, type OrderedAcks } from "./upstream-acks";
import { clientOptions } from "./upstream-options";
import { readRetainedFirst, type RetainedFirst } from "./upstream-retained-first";
import { COMMAND_ACK_TIMEOUT_MS, publishOrWithdraw } from "./upstream-command";
import {
  classifyFailure,
  closedFailure,
  connected,
  failed,
  initialStatus,
  retryDelay,
  type Failure,
  type UpstreamStatus,
} from "../lib/upstream-status";

/** Tells mqtt.js not to send a PUBACK: the bus sends it once the message's effects resolve. */
const ACK_LATER = new Error("acknowledged once stored (upstream-acks.ts)");

/** CONNACK codes of a broker busy for now (3.1.1: 3 server unavailable; MQTT 5: 0x88, 0x89, 0x9F): the discovery read is retried. */
const BUSY_CODES = new Set([3, 0x88, 0x89, 0x9f]);

/** Messages acknowledged though their reading was refused for good: the first logged at once, the rest at most one line per this window, with the count (log-pace.ts). */
const REFUSED_LOG_WINDOW_MS = 10_000;


export type UpstreamBus = Bus & {
  /** Connects, in the background: the hub starts whether or not the broker answers. */
  start(): void;
  status(): UpstreamStatus;
  /** Whether messages reach the broker now (subscribed, see below). */
  connected(): boolean;
  /** Disconnects cleanly; the broker keeps the session and queues for the next start. */
  end(): Promise<void>;
  readonly protocolVersion: 4 | 5;
  /** Whether Hearth's last publish to `topic` was retained (MQTT 3.1.1 echoes it back unflagged). */
  publishedRetained(topic: string): boolean;
  /**
   * A page's command (the relay): sent now or refused, never kept for later. Fails with
   * `upstream-unavailable` when not connected, and with `upstream-lost` or
   * `upstream-command-timeout` when the link drops, or no PUBACK comes within `timeoutMs`;
   * then the message leaves mqtt.js's store, so a reconnection does not fire it minutes later.
   */
  command(topic: string, payload: string | Buffer, options: PublishOptions, timeoutMs?: number): Promise<void>;
};

/** The server of the current or last attempt: mqtt.js sets host and port from `servers` as it tries each in turn. */
function serverOf(client: MqttClient, fallback: string): string {
  const { protocol, host, port } = client.options;
  if (!host || !port) return fallback;
  return `${protocol ?? "mqtt"}://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

export type UpstreamBusOptions = BusClock & {
  /**
   * Filters whose retained messages the handlers get before Hearth's session connects
   * (upstream-retained-first.ts): the device registry's discovery prefixes
   * (DISCOVERY_FILTERS), so a discovered sensor's queued readings find it known (review-17 F1).
   */
  retainedFirst?: readonly string[];
};

export function createUpstreamBus(config: UpstreamConfig, log: Logger, { now = Date.now, retainedFirst = [] }: UpstreamBusOptions = {}): UpstreamBus {
  const options = clientOptions(config);
  const client = mqtt.connect(options);
  const shown = config.urls.map(shownUrl).join(", ");
  const handlers = createBusHandlers(log, now);
  let status = initialStatus(shown, now());
  let subscribedOnce = false;
  let lastError: Failure | null = null;
  let ending = false;
  /** Topics Hearth keeps a retained message on (alert states, the relay's retained publishes). */
  const retainedByHearth = new Set<string>();

  const checkAndTrack = (topic: string, payload: string | Buffer, options: PublishOptions) => {
    const check = checkTopicName(topic);
    if (!check.ok) throw new Error(`bad topic ${JSON.stringify(topic)}: ${check.reason}`);
    if (options.retain && payload.length === 0) retainedByHearth.delete(topic);
    else if (options.retain) retainedByHearth.add(topic);
  };

  const setStatus = (next: UpstreamStatus) => {
    status = next;
  };

  /** Which messages are retained copies sent again because Hearth subscribed (replayed-reading.ts). */
  const replays = createReplayWindow(config.protocolVersion);
  /** Messages whose reading the database refused for good (acknowledged nonetheless), and the log's pace for them (log-pace.ts). */
  let refused = 0;
  const refusedLog = createLogPace(REFUSED_LOG_WINDOW_MS);
  const refusedForItsData = (topic: string, error: Error) => {
    refused++;
    refusedLog(1, (messages) =>
      log.error("the history database refused a message's reading for its own data; acknowledged all the same (QoS 1), as no redelivery could store it", {
        code: "history-refused",
        topic,
        messages,
        refused,
        error: error.message,
      }),
    );
  };

  /** The PUBACKs owed on the current connection (upstream-acks.ts); each connection starts afresh. */
  let owed: { stream: MqttClient["stream"]; acks: OrderedAcks } | null = null;
  const redelivery = createRedelivery();
  const owedOn = (stream: MqttClient["stream"]) => {
    if (owed?.stream !== stream) {
      const sendPuback = (messageId: number) => {
        // A packet id belongs to its connection: on a later one the broker resends the message.
        if (client.stream !== stream || !client.connected) return;
        stream.write(generate({ cmd: "puback", messageId }, { protocolVersion: config.protocolVersion }));
        redelivery.stored();
      };
      // Only a new connection makes the broker send the unstored messages again (upstream-acks.ts, review-6 #1).
      const reconnect = () => {
        if (ending || client.stream !== stream || !client.connected) return;
        log.warn("reconnecting so the broker sends again what Hearth could not store", { code: "upstream-redeliver", server: status.server });
        lastError = { code: "upstream-lost", state: "unreachable", message: "reconnecting so the broker sends again messages Hearth could not store" };
        stream.destroy();
      };
      owed = { stream, acks: createOrderedAcks(sendPuback, () => redelivery.unstored(reconnect)) };
    }
    return owed.acks;
  };

  // mqtt.js reads the next packet only after this callback: it must not wait for a
  // commit (review-5 finding 1), or one reading waiting for its database would hold up
  // every later message, PINGRESP included. The handlers run now (live values, mirror,
  // alerts); only the PUBACK of a QoS 1 message waits for their effects.
  client.handleMessage = (packet, callback) => {
    const dispatched = handlers.dispatch({ topic: packet.topic, payload: packet.payload as Buffer, retain: packet.retain, qos: packet.qos, replayed: replays.replayed(packet, now()) });
    const effects = dispatched?.catch((error: Error) => {
      if (refusedForGood(error)) {
        refusedForItsData(packet.topic, error);
        throw error;
      }
      // QoS 1, not acknowledged: the broker still holds it for this session and sends it again.
      const what = packet.qos === 0 ? "a QoS 0 message's effect failed; it is not stored" : "a message's effect failed; left unacknowledged for the broker to send again";
      log.error(what, {
        code: "upstream-not-stored",
        topic: packet.topic,
        error: error.message,
      });
      throw error;
    });
    // QoS 0 has nothing to acknowledge; QoS 2 never comes (the subscription is QoS 1).
    if (packet.qos !== 1) {
      effects?.catch(() => {});
      return callback();
    }
    const acks = owedOn(client.stream);
    // Nothing to wait for and nobody ahead: mqtt.js sends the PUBACK now.
    if (!effects && !acks.waiting()) return callback();
    acks.add(packet.messageId!, effects ?? Promise.resolve());
    // An error makes mqtt.js skip its own PUBACK and go on to the next packet (handlers/publish.js).
    callback(ACK_LATER);
  };

  client.on("connect", (connack) => {
    const server = serverOf(client, shown);
    lastError = null;
    client.options.reconnectPeriod = retryDelay(1);
    const outage = status.state === "connected" ? null : now() - status.since;
    log.info("connected to the upstream broker", {
      code: "upstream-connected",
      server,
      clientId: config.clientId,
      sessionPresent: connack.sessionPresent,
      downForMs: status.attempt > 0 && outage !== null ? outage : undefined,
    });
    // A resumed session keeps its subscription; a new one (first start, or the broker
    // lost it) needs it, and a SUBSCRIBE also sends the retained messages again
    // [MQTT-3.3.1-6], which the relay's mirror starts from. "Connected" waits for the
    // SUBACK: from then on nothing published upstream passes Hearth by.
    if (subscribedOnce && connack.sessionPresent) return setStatus(connected(server, now()));
    // Retain As Published (MQTT 5 §3.8.3.1): a device's retained `…/state` stays retained in the relay's mirror.
    const options = config.protocolVersion === 5 ? { qos: 1 as const, rap: true } : { qos: 1 as const };
    replays.subscribing();
    client.subscribe("#", options, (error, granted) => {
      const refused = error ? null : granted?.find((g) => g.qos === 128);
      if (refused) {
        const failure = { code: "upstream-subscribe-refused", state: "refused", message: "the broker refused Hearth's subscription to # (SUBACK 0x80); its ACL must let Hearth's account read #" } as const;
        log.error(failure.message, { code: failure.code, server });
        return setStatus(failed(status, failure, server, now()));
      }
      // An error here is a connection lost before the SUBACK: the next connection subscribes again.
      if (error) return;
      replays.subscribed(now());
      subscribedOnce = true;
      setStatus(connected(server, now()));
    });
  });

  client.on("error", (error: Error & { code?: string | number }) => {
    lastError = classifyFailure(error, config.protocolVersion);
  });

  const reportFailure = (failure: Failure, server: string, retryInMs: number | undefined) => {
    const next = failed(status, failure, server, now());
    // One error line when the trouble starts or turns into another (unreachable → refused);
    // the retries after it are debug, whichever node of a cluster they try.
    if (next.state !== status.state) {
      log.error(failure.message, { code: failure.code, server, retryInMs });
    } else {
      log.debug("upstream broker still unavailable", { code: failure.code, server, attempt: next.attempt });
    }
    setStatus(next);
  };

  client.on("close", () => {
    if (ending) return;
    const failure = closedFailure(lastError, status.state === "connected");
    lastError = null;
    reportFailure(failure, serverOf(client, status.server), client.options.reconnectPeriod);
  });

  /**
   * The retained discovery configs first, on a short clean session, then Hearth's own
   * (upstream-retained-first.ts, review-17 F1). Retried, like the session's connection,
   * with the same back-off and status until it has worked once: from then on the handlers
   * know every device, and mqtt.js's own reconnections resume the session.
   */
  let reading: RetainedFirst | null = null;
  let retry: NodeJS.Timeout | undefined;
  let sessionStarted = false;
  const startSession = () => {
    sessionStarted = true;
    client.connect();
  };
  const readFirst = (attempt: number) => {
    if (ending) return;
    if (retainedFirst.length === 0) return startSession();
    const current = readRetainedFirst({ options, filters: retainedFirst, server: attempt });
    reading = current;
    current.copies.then(
      ({ copies, refused }) => {
        reading = null;
        if (ending) return;
        if (refused.length > 0) {
          log.warn("the broker refused Hearth's subscription to discovery configs; their devices are known once Hearth's own subscription brings them", { code: "upstream-discovery-refused", filters: refused.join(", ") });
        }
        // As the copies a SUBSCRIBE sends [MQTT-3.3.1-6]: flagged retained and replayed; nothing to acknowledge (QoS 0).
        for (const { topic, payload } of copies) {
          handlers.dispatch({ topic, payload, retain: true, qos: 0, replayed: true })?.catch((error: Error) =>
            log.warn("a retained discovery config's effect failed", { code: "replay-failed", topic, error: error.message }),
          );
        }
        log.info("retained discovery configs read before Hearth's session resumes", { code: "upstream-discovery-read", configs: copies.length });
        startSession();
      },
      (error: Error & { code?: string | number }) => {
        reading = null;
        if (ending) return;
        // A CONNACK that refuses this connection (its client id, its login) says nothing of
        // Hearth's session's: that one is tried all the same, and its own refusal, if any,
        // is the status. Only a busy broker is asked again, after the back-off.
        if (typeof error.code === "number" && !BUSY_CODES.has(error.code)) {
          log.warn("the broker refused the short connection that reads the retained discovery configs first; Hearth's session connects without it, so readings it queued for a device discovered upstream may go unrecorded at this start", {
            code: "upstream-discovery-skipped",
            reasonCode: error.code,
            error: error.message,
          });
          return startSession();
        }
        const failure = classifyFailure(error, config.protocolVersion);
        const delay = retryDelay(status.attempt + 1);
        reportFailure(failure, shownUrl(config.urls[attempt % config.urls.length]), delay);
        retry = setTimeout(() => readFirst(attempt + 1), delay);
      },
    );
  };

  // mqtt.js reads reconnectPeriod when it arms the next retry (after this attempt fails),
  // so setting it as each attempt starts makes the waits grow (components/mqtt-provider.tsx does the same).
  client.on("reconnect", () => {
    client.options.reconnectPeriod = retryDelay(status.attempt + 1);
  });

  client.on("disconnect", (packet) => {
    // MQTT 5: the broker says why it ends the connection (0x8E session taken over: another hub with this client id).
    log.warn("the upstream broker sent DISCONNECT", { code: "upstream-lost", reasonCode: packet.reasonCode, reason: packet.properties?.reasonString });
  });

  return {
    protocolVersion: config.protocolVersion,
    start() {
      log.info("connecting to the upstream broker", { servers: shown, clientId: config.clientId, protocolVersion: config.protocolVersion });
      readFirst(0);
    },
    status: () => status,
    connected: () => client.connected && status.state === "connected",

    async subscribe(filter: string, handler: BusHandler) {
      return handlers.add(filter, handler);
    },

    publishedRetained: (topic) => retainedByHearth.has(topic),

    async publish(topic: string, payload: string | Buffer, options: PublishOptions = {}) {
      checkAndTrack(topic, payload, options);
      // Stopping: the connection is gone for good (a service's goodbye, like the registry's "offline").
      if (ending) return;
      const sent = client.publishAsync(topic, payload, { qos: options.qos ?? 0, retain: options.retain ?? false });
      // Connected: resolves with the broker's PUBACK. Away (or not started yet): mqtt.js
      // keeps the message and sends it on reconnection, and the caller does not wait for
      // that — the hub must start, and its services run, while the broker is down. What
      // the services publish (alert states, the birth message) is published anew at start.
      if (client.connected) return void (await sent);
      sent.catch((error: Error) => log.warn("a queued publish failed", { code: "upstream-publish-failed", topic, error: error.message }));
    },

    async command(topic, payload, options, timeoutMs = COMMAND_ACK_TIMEOUT_MS) {
      if (ending || !(client.connected && status.state === "connected")) {
        throw new Error(`upstream-unavailable: the broker ${status.server} is not connected`);
      }
      checkAndTrack(topic, payload, options);
      return publishOrWithdraw(client, { topic, payload, options, timeoutMs, server: status.server });
    },

    async end() {
      ending = true;
      redelivery.stop();
      clearTimeout(retry);
      reading?.abort();
      // Never started (stopped while the discovery configs were being read): mqtt.js has no stream to end.
      if (!sessionStarted) return;
      // Forced when there is no connection: nothing to send a DISCONNECT on.
      await client.endAsync(!client.connected);
    },
  };
}

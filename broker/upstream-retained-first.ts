// The retained discovery configs, read before Hearth's persistent session connects
// (review-17 F1). On a resumed session the broker sends what it queued for Hearth while
// it was away right after CONNACK: before the SUBACK of the SUBSCRIBE each start makes,
// and so before the retained copies that follow it [MQTT-3.3.1-6], among them the
// discovery configs that tell the device registry which topics are sensors. A hub just
// started knows its devices from those configs only, so a discovered sensor's queued
// reading went to a registry that did not know it, was acknowledged and never recorded.
// Holding the queued messages unacknowledged did not mend it: 20 of them fill Mosquitto's
// in-flight slots (max_inflight_messages), the retained QoS 1 configs queue behind the
// rest in the same session, and still come last.
// So the configs come first, on a connection of their own: a clean session (nothing is
// queued on it, nothing kept after it) under another client id, so Hearth's session is
// neither taken over nor changed. It subscribes to the discovery filters at QoS 0 (no
// acknowledgement to owe), takes the retained copies, and ends once they have come: it
// unsubscribes at the SUBACK, and ends at the first `quietMs` with no message after the
// UNSUBACK (which follows the copies on a broker that answers in order, as Mosquitto
// does), and at most `maxMs` after the SUBACK. Its failures are the same as the persistent connection's (refused login,
// unreachable), classified by the caller.
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";

export type RetainedCopy = { topic: string; payload: Buffer };

export type RetainedFirstOptions = {
  /** The persistent session's options: the same servers, login and TLS. */
  options: IClientOptions;
  filters: readonly string[];
  /** Which of `options.servers` to try (the caller turns through them as mqtt.js does on reconnection). */
  server?: number;
  quietMs?: number;
  maxMs?: number;
};

/** Ends quietly after the copies; a subscription the broker refuses (SUBACK 0x80) yields nothing for its filter. */
export type RetainedFirst = {
  copies: Promise<{ copies: RetainedCopy[]; refused: string[] }>;
  /** Stops at once (the hub ending): `copies` rejects. */
  abort(): void;
};

export const RETAINED_QUIET_MS = 200;
export const RETAINED_MAX_MS = 5000;

/** The client id of the short connection: Hearth's own with a suffix, so the broker keeps Hearth's session apart. */
export const retainedClientId = (clientId: string) => `${clientId}-discovery`;

export function readRetainedFirst({ options, filters, server = 0, quietMs = RETAINED_QUIET_MS, maxMs = RETAINED_MAX_MS }: RetainedFirstOptions): RetainedFirst {
  const servers = options.servers ?? [];
  const client: MqttClient = mqtt.connect({
    ...options,
    servers: servers.length > 0 ? [servers[server % servers.length]] : undefined,
    clientId: retainedClientId(options.clientId!),
    clean: true,
    // MQTT 5: no session expiry, the session ends with the connection [MQTT-3.1.2-23].
    properties: undefined,
    reconnectPeriod: 0,
    manualConnect: false,
  });
  const copies: RetainedCopy[] = [];
  let quiet: NodeJS.Timeout | undefined;
  let longest: NodeJS.Timeout | undefined;
  let settled = false;
  let resolveCopies!: (value: { copies: RetainedCopy[]; refused: string[] }) => void;
  let rejectCopies!: (error: Error) => void;
  const promise = new Promise<{ copies: RetainedCopy[]; refused: string[] }>((resolve, reject) => {
    resolveCopies = resolve;
    rejectCopies = reject;
  });
  let refused: string[] = [];
  let lastError: Error | null = null;
  const finish = (error: Error | null) => {
    if (settled) return;
    settled = true;
    clearTimeout(quiet);
    clearTimeout(longest);
    // A DISCONNECT when connected (the clean session ends), else just the socket.
    client.end(!client.connected);
    if (error) rejectCopies(error);
    else resolveCopies({ copies, refused });
  };
  let subscribed = false;
  const rearm = () => {
    clearTimeout(quiet);
    quiet = setTimeout(() => finish(null), quietMs);
  };
  client.on("message", (topic, payload, packet) => {
    // Only the retained copies: a live config is in Hearth's session queue too, in its place.
    if (!packet.retain) return;
    copies.push({ topic, payload });
    if (subscribed) rearm();
  });
  client.on("connect", () => {
    client.subscribe(
      [...filters],
      { qos: 0 },
      (error, granted) => {
        if (error) return finish(error);
        refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
        longest = setTimeout(() => finish(null), maxMs);
        // The end marker: the broker answers packets in order, and it queued every copy as it
        // took the SUBSCRIBE, so the UNSUBACK comes after the last of them (Mosquitto). A quiet
        // timer alone could fire before the socket's next chunk was read, on a busy start.
        client.unsubscribe([...filters], (failure) => {
          if (failure) return finish(failure);
          // The grace for a broker that does not keep that order.
          subscribed = true;
          rearm();
        });
      },
    );
  });
  client.on("error", (error) => {
    lastError = error;
  });
  client.on("close", () => finish(lastError ?? Object.assign(new Error("the broker closed the connection before the retained configs came"), { code: undefined })));
  return {
    copies: promise,
    abort: () => finish(new Error("aborted: Hearth is stopping")),
  };
}

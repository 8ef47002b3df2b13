// The broker's `authorizePublish` hook: a client publishes only what its principal
// may (lib/auth/roles.ts). MQTT 3.1.1 has no way to refuse one PUBLISH, so aedes
// closes the connection (§3.3.5); the log line says why, with a stable code.
import type { Client, PublishPacket } from "aedes";
import { mayPublish } from "../lib/auth/roles";
import type { Logger } from "../lib/log";
import type { Principals } from "./principals";

/**
 * `extra`: a further check (limits.ts), e.g. the publish rate, whose error disconnects the client.
 * `isDeviceCommand`: the command topics of known switches (the device registry), which operators may publish.
 */
export function createAuthorizePublish(opts: {
  principals: Principals;
  log: Logger;
  extra?: (client: Client, packet: PublishPacket) => Error | null;
  isDeviceCommand?: (topic: string) => boolean;
}) {
  const { principals, log } = opts;
  return function authorizePublish(client: Client | null, packet: PublishPacket, done: (error?: Error | null) => void) {
    // No client: the broker's own publishes (the bus), already trusted.
    if (client === null) return done(null);
    const principal = principals.get(client);
    if (packet.topic.startsWith("$SYS")) return done(denied(log, client, packet.topic, "sys-topic", "only the broker publishes $SYS topics"));
    if (!principal || !mayPublish(principal, packet.topic, opts.isDeviceCommand)) {
      return done(denied(log, client, packet.topic, "publish-denied", "not allowed to publish to this topic"));
    }
    done(opts.extra?.(client, packet) ?? null);
  };
}

function denied(log: Logger, client: Client, topic: string, code: string, message: string): Error {
  log.warn("publish refused, disconnecting", { code, client: client.id, topic });
  return Object.assign(new Error(`${message}: ${topic}`), { code });
}

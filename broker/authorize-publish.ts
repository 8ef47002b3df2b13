// The broker's `authorizePublish` hook: a client publishes only what its principal
// may (lib/auth/roles.ts), and nobody but the broker publishes `$SYS/…`.
// A refusal is 0x87 (not authorized): an MQTT 5 client gets it in its PUBACK/PUBREC
// and stays connected; MQTT 3.1.1 has no way to refuse one PUBLISH, so the broker
// closes the connection [MQTT-3.3.5-2]. The log line says which, with a stable code.
import { mayPublish, type Principal } from "../lib/auth/roles";
import type { Logger } from "../lib/log";
import { ReasonCode, type BrokerHook, type ClientInfo, type Refusal } from "./mqtt/hooks";

export type PublishRefusalCode = "sys-topic" | "publish-denied";

/** `isDeviceCommand`: the command topics of known switches (the device registry), which operators may publish. */
export function createAuthorizePublish(opts: { log: Logger; isDeviceCommand?: (topic: string) => boolean }): BrokerHook<Principal> {
  const { log } = opts;
  return {
    authorizePublish(client, { topic }) {
      if (topic.startsWith("$SYS")) return denied(log, client, topic, "sys-topic", "only the broker publishes $SYS topics");
      if (!mayPublish(client.principal, topic, opts.isDeviceCommand)) {
        return denied(log, client, topic, "publish-denied", "not allowed to publish to this topic");
      }
      return null;
    },
  };
}

function denied(log: Logger, client: ClientInfo<Principal>, topic: string, code: PublishRefusalCode, message: string): Refusal {
  const closes = client.protocolVersion !== 5;
  log.warn(closes ? "publish refused, disconnecting" : "publish refused", { code, client: client.clientId, topic });
  return { code, reasonCode: ReasonCode.notAuthorized, message: `${message}: ${topic}` };
}

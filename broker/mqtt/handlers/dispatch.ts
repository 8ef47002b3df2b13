// Each packet from a client to its handler (aedes lib/handlers/; Mosquitto's handle_*.c).
import type { Packet } from "mqtt-packet";
import type { Client } from "../client";
import type { Core } from "../core";
import { onPuback, onPubcomp, onPubrec } from "../outgoing";
import { RC } from "../reason-codes";
import { handleConnect } from "./connect";
import { handleDisconnect } from "./disconnect";
import { handlePublish } from "./publish";
import { handlePubrel } from "./pubrel";
import { handleSubscribe } from "./subscribe";
import { handleUnsubscribe } from "./unsubscribe";

export function dispatch<P>(core: Core<P>, client: Client<P>, packet: Packet): void {
  if (client.state === "connecting") {
    // [MQTT-3.1.0-1] the first packet is CONNECT.
    if (packet.cmd !== "connect") return client.disconnect(undefined, `${packet.cmd} before CONNECT`, "protocol-error");
    handleConnect(core, client, packet).catch((error: Error) => {
      core.log.error("CONNECT handling failed", { code: "handler-failed", client: client.clientId || undefined, error: error.message });
      client.disconnect(RC.implementationSpecificError, "internal error", "handler-failed");
    });
    return;
  }
  // [MQTT-2.3.1-1] a packet identifier is non-zero.
  if (packet.messageId === 0) return client.disconnect(RC.protocolError, `${packet.cmd} with packet identifier 0`, "protocol-error");
  const session = client.session!;
  switch (packet.cmd) {
    case "publish":
      return handlePublish(core, client, session, packet);
    case "puback":
      return onPuback(core, session, packet.messageId!);
    case "pubrec":
      return onPubrec(core, client, session, packet.messageId!, packet.reasonCode ?? 0);
    case "pubrel":
      return handlePubrel(core, client, session, packet.messageId!);
    case "pubcomp":
      return onPubcomp(core, session, packet.messageId!);
    case "subscribe":
      return handleSubscribe(core, client, session, packet);
    case "unsubscribe":
      return handleUnsubscribe(core, client, session, packet);
    case "pingreq":
      return client.send({ cmd: "pingresp" });
    case "disconnect":
      return handleDisconnect(core, client, session, packet);
    case "connect":
      // [MQTT-3.1.0-2] a second CONNECT is a protocol violation.
      return client.disconnect(RC.protocolError, "a second CONNECT", "second-connect");
    case "auth":
      // No authentication method was accepted at CONNECT, so an AUTH is a protocol error (MQTT 5.0 §4.12).
      return client.disconnect(RC.protocolError, "enhanced authentication is not supported", "auth-unsupported");
    default:
      return client.disconnect(RC.protocolError, `a client may not send ${packet.cmd}`, "protocol-error");
  }
}

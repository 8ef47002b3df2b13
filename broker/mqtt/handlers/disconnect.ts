// DISCONNECT from a client (MQTT 3.1.1 §3.14, MQTT 5.0 §3.14): no will, unless MQTT 5's
// 0x04 "disconnect with will message"; MQTT 5 may change the Session Expiry Interval,
// but not from 0 [MQTT-3.14.2-2].
import type { IDisconnectPacket } from "mqtt-packet";
import type { Client } from "../client";
import type { Core } from "../core";
import { RC } from "../reason-codes";
import type { Session } from "../session";

export function handleDisconnect<P>(core: Core<P>, client: Client<P>, session: Session<Client<P>>, packet: IDisconnectPacket): void {
  const expiry = packet.properties?.sessionExpiryInterval;
  if (expiry !== undefined) {
    if (session.expiryInterval === 0 && expiry !== 0) {
      return client.disconnect(RC.protocolError, "session expiry cannot be set on DISCONNECT when it was 0 at CONNECT", "protocol-error");
    }
    session.expiryInterval = Math.min(expiry, core.limits.maxSessionExpirySeconds);
  }
  // [MQTT-3.14.4-3] a normal DISCONNECT discards the will.
  client.graceful = (packet.reasonCode ?? 0) !== RC.disconnectWithWill;
  client.disconnect(undefined, undefined, "client-disconnect");
}

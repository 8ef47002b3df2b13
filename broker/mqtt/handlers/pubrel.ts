// PUBREL from a client (MQTT 3.1.1 §3.6, MQTT 5.0 §3.6): the inbound QoS 2 exchange
// ends; the packet id is free again and PUBCOMP goes out after the commit that forgets
// it, in order with the other acknowledgements (ack-gate.ts).
import type { Client } from "../client";
import type { Core } from "../core";
import { RC } from "../reason-codes";
import type { Session } from "../session";

export function handlePubrel<P>(core: Core<P>, client: Client<P>, session: Session<Client<P>>, packetId: number): void {
  const known = session.inbound.get(packetId) === 2;
  if (known) {
    session.inbound.delete(packetId);
    if (session.persistent) core.store.deleteInbound(session.clientId, packetId);
  }
  // [MQTT-4.3.3-…] PUBCOMP even for an unknown id (a resent PUBREL after a restart); MQTT 5 says it was not found.
  const reasonCode = known || client.protocolVersion !== 5 ? RC.success : RC.packetIdentifierNotFound;
  core.acks.add(client, "pubcomp", packetId, reasonCode, known, null);
}

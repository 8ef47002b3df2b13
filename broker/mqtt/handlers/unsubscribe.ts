// UNSUBSCRIBE → UNSUBACK (MQTT 3.1.1 §3.10-3.11, MQTT 5.0 §3.10-3.11): MQTT 5 has a
// reason code per filter, 0x11 for one that was not subscribed.
import type { IUnsubscribePacket } from "mqtt-packet";
import type { Client } from "../client";
import type { Core } from "../core";
import { RC } from "../reason-codes";
import type { Session } from "../session";

export function handleUnsubscribe<P>(core: Core<P>, client: Client<P>, session: Session<Client<P>>, packet: IUnsubscribePacket): void {
  const reasons: number[] = [];
  for (const filter of packet.unsubscriptions) {
    const existed = session.subscriptions.delete(filter);
    if (existed) {
      core.subscriptions.delete(filter, session);
      if (session.persistent) core.store.deleteSubscription(session.clientId, filter);
    }
    reasons.push(existed ? RC.success : RC.noSubscriptionExisted);
  }
  // [MQTT-3.10.4-4] UNSUBACK even when nothing was subscribed.
  client.send(client.protocolVersion === 5 ? { cmd: "unsuback", messageId: packet.messageId, granted: reasons } : { cmd: "unsuback", messageId: packet.messageId, granted: [] });
}

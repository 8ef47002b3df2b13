// Bounded deliveries (issue 12, "Bounded everywhere"): a 3.1.1 client has no Receive
// Maximum, so how many QoS 1 messages the server keeps unacknowledged towards it, and how
// many more it queues behind them, are the server's settings — Mosquitto's
// max_inflight_messages (10 in this suite's config, 20 by default) and max_queued_messages
// (1000); Hearth's maxInflightMessages (1000) and maxQueuedMessages (1000). Past both, a
// message is dropped: Mosquitto drops the one arriving, Hearth the oldest queued (QoS 0
// first), as issue 12 asks. Neither is a spec clause: MQTT 3.1.1 §4.3.2 asks a sender to
// keep a QoS 1 message until acknowledged, not to keep every message it is offered.
import type { IPublishPacket } from "mqtt-packet";
import mqttPacket from "mqtt-packet";
import type { ConformanceCase } from "./case";
import type { RawClient } from "./raw-client";
import { acknowledge, receiveAll, received, subscribe } from "./steps";

/** More than Hearth's window and queue together (2,000), so both brokers drop some. */
const BURST = 2100;

/** `count` QoS 1 PUBLISHes of payloads "1"…"count" in one write; resolves with how many PUBACKs came. */
async function burst(pub: RawClient, topic: string, count: number): Promise<number> {
  const packets = [];
  for (let i = 1; i <= count; i++) {
    const packet = { cmd: "publish" as const, topic, payload: Buffer.from(String(i)), qos: 1 as const, retain: false, dup: false, messageId: pub.messageId() };
    packets.push(mqttPacket.generate(packet, { protocolVersion: pub.protocolVersion }));
  }
  pub.sendBytes(Buffer.concat(packets));
  let acks = 0;
  while (acks < count && (await pub.next("puback")) !== null) acks++;
  return acks;
}

export const BOUNDED_CASES: ConformanceCase[] = [
  {
    id: "v4-window-and-queue",
    clause: "MQTT 3.1.1 §4.3.2 (QoS 1 kept until PUBACK); MQTT 5 §4.9 (a 3.1.1 client has no Receive Maximum: the window is the server's)",
    title: "3.1.1: to a subscriber that does not acknowledge, the server sends its in-flight window and queues at most 1000 more; the rest is dropped",
    async run(ctx) {
      const { client: sub } = await ctx.raw("s", 4);
      await subscribe(sub, ctx.topic("#"), 1);
      const { client: pub } = await ctx.raw("p", 4);
      const acknowledged = await burst(pub, ctx.topic("m"), BURST);
      // Every PUBACK has come, so every message was routed; the PINGRESP follows what was sent before it.
      await sub.settle();
      const window = await received(sub, { acknowledge: false });
      for (const m of window) await acknowledge(sub, m.packet as IPublishPacket);
      const all = [...window, ...(await receiveAll(sub))].map((m) => Number(m.payload));
      return {
        acknowledged,
        inFlightBeforeAcks: window.length,
        delivered: all.length,
        firstAfterWindow: all[window.length] ?? null,
        last: all.at(-1) ?? null,
        inOrder: all.every((n, i) => i === 0 || n > all[i - 1]),
      };
    },
    // Hearth: 1…1000 in flight, 1001…2100 offered to a queue of 1000: the oldest (1001…1100) dropped.
    expected: { acknowledged: BURST, inFlightBeforeAcks: 1000, delivered: 2000, firstAfterWindow: 1101, last: BURST, inOrder: true },
    differs: [
      {
        broker: "mosquitto",
        // 1…10 in flight, 11…1010 queued, 1011…2100 dropped as they arrived (database.c db__message_insert).
        observed: { acknowledged: BURST, inFlightBeforeAcks: 10, delivered: 1010, firstAfterWindow: 11, last: 1010, inOrder: true },
        clause: "MQTT 3.1.1 §4.3.2; MQTT 5 §4.9",
        right: "both",
        why:
          "the window and the queue's bound are the server's settings (Mosquitto max_inflight_messages 10 here, max_queued_messages 1000); " +
          "a full queue drops the arriving message in Mosquitto, the oldest queued one in Hearth (issue 12: the newest state of a device matters most)",
      },
    ],
  },
];

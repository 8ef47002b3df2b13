// MQTT 5: what the broker does with a message on its way — acknowledgement reason
// codes, topic aliases both ways, flow control (Receive Maximum) both ways, Maximum
// Packet Size both ways, and message expiry.
import mqttPacket, { type IPublishPacket } from "mqtt-packet";
import type { ConformanceCase } from "./case";
import { acknowledge, disconnect, lines, publish, received, serverDisconnect, sleep, subscribe, unsubscribe, untilMarker } from "./steps";

export const V5_FLOW_CASES: ConformanceCase[] = [
  {
    id: "v5-suback-codes",
    clause: "MQTT 5 §3.9.3 [MQTT-3.9.3-1]",
    title: "MQTT 5: SUBACK grants each filter its QoS, in order",
    async run(ctx) {
      const { client } = await ctx.raw("s", 5);
      const granted = await subscribe(client, [0, 1, 2].map((qos) => ({ topic: ctx.topic(`q${qos}`), qos: qos as 0 | 1 | 2 })));
      return { granted };
    },
    expected: { granted: [0, 1, 2] },
  },
  {
    id: "v5-unsuback-codes",
    clause: "MQTT 5 §3.11.3",
    title: "MQTT 5: UNSUBACK says 0x00 for a subscription removed and 0x11 for one that did not exist",
    async run(ctx) {
      const { client } = await ctx.raw("s", 5);
      await subscribe(client, ctx.topic("a"), 1);
      const unsuback = await unsubscribe(client, [ctx.topic("a"), ctx.topic("never")]);
      return { reasonCodes: unsuback?.granted ?? "no UNSUBACK" };
    },
    expected: { reasonCodes: [0x00, 0x11] },
  },
  {
    id: "v5-pubcomp-unknown-id",
    clause: "MQTT 5 §3.7.2.1 (0x92), §4.3.3",
    title: "MQTT 5: PUBREL for a packet id the server does not hold is answered PUBCOMP 0x92",
    async run(ctx) {
      const { client } = await ctx.raw("s", 5);
      client.send({ cmd: "pubrel", messageId: 777 });
      const pubcomp = (await client.next("pubcomp")) as { reasonCode?: number } | null;
      return { pubcomp: pubcomp ? (pubcomp.reasonCode ?? 0) : "none" };
    },
    expected: { pubcomp: 0x92 },
    differs: [
      {
        broker: "mosquitto",
        observed: { pubcomp: 0 },
        clause: "MQTT 5 §3.7.2.1, [MQTT-4.3.3-11]",
        right: "both",
        why: "the PUBCOMP is required, its reason code is not; 0x92 tells the client its session state disagrees with the server's, Mosquitto 2.0 answers 0x00",
      },
    ],
  },
  {
    id: "v5-topic-alias-in",
    clause: "[MQTT-3.3.2-12] [MQTT-3.3.2-9] [MQTT-3.2.2-17]",
    title: "MQTT 5: topic aliases from the client are resolved; one above the server's maximum is DISCONNECT 0x94",
    async run(ctx) {
      const { client: sub } = await ctx.raw("s", 5);
      await subscribe(sub, ctx.topic("#"), 1);
      const { client: pub, connack } = await ctx.raw("p", 5);
      const max = connack?.properties?.topicAliasMaximum ?? 0;
      await publish(pub, ctx.topic("aliased"), "first", { qos: 1, properties: { topicAlias: 1 } });
      await publish(pub, "", "second", { qos: 1, properties: { topicAlias: 1 } });
      const got = lines(await untilMarker(sub, ctx.topic("end")));
      await publish(pub, ctx.topic("too-far"), "x", { qos: 1, properties: { topicAlias: max + 1 } });
      return { aliasesAllowed: max > 0, received: got.map((l) => l.replace(ctx.topic(""), "")), aboveMaximum: await serverDisconnect(pub) };
    },
    expected: { aliasesAllowed: true, received: ["aliased first", "aliased second"], aboveMaximum: 0x94 },
  },
  {
    id: "v5-topic-alias-out",
    clause: "[MQTT-3.3.2-10] [MQTT-3.3.2-11] MQTT 5 §3.3.2.3.4",
    title: "MQTT 5: the server sends topic aliases only within the client's Topic Alias Maximum",
    async run(ctx) {
      const { client: plain } = await ctx.raw("plain", 5);
      const { client: aliasing } = await ctx.raw("aliasing", 5, { properties: { topicAliasMaximum: 2 } });
      for (const c of [plain, aliasing]) await subscribe(c, ctx.topic("#"), 1);
      const { client: pub } = await ctx.raw("p", 5);
      for (const n of [1, 2, 3]) await publish(pub, ctx.topic("same"), `m${n}`, { qos: 1 });
      await Promise.all([plain.settle(), aliasing.settle()]);
      const aliasOf = (c: typeof plain) => c.received.flatMap((p) => (p.cmd === "publish" && p.properties?.topicAlias !== undefined ? [p.properties.topicAlias] : []));
      const withAliases = aliasOf(aliasing);
      return {
        plainGotAliases: aliasOf(plain).length > 0,
        resolved: lines(await received(aliasing)).map((l) => l.replace(ctx.topic(""), "")),
        aliasesWithinMaximum: withAliases.every((a) => a >= 1 && a <= 2),
        usedAliases: withAliases.length > 0,
      };
    },
    expected: { plainGotAliases: false, resolved: ["same m1", "same m2", "same m3"], aliasesWithinMaximum: true, usedAliases: true },
    differs: [
      {
        broker: "mosquitto",
        observed: { plainGotAliases: false, resolved: ["same m1", "same m2", "same m3"], aliasesWithinMaximum: true, usedAliases: false },
        clause: "MQTT 5 §3.3.2.3.4",
        right: "both",
        why: "a server MAY send topic aliases to a client that accepts them; Mosquitto 2.0 never does, Hearth does to save bytes",
      },
    ],
  },
  {
    id: "v5-receive-maximum-out",
    clause: "[MQTT-3.3.4-9] MQTT 5 §4.9",
    title: "MQTT 5: the server sends no more unacknowledged QoS 1 messages than the client's Receive Maximum",
    async run(ctx) {
      const { client: sub } = await ctx.raw("s", 5, { properties: { receiveMaximum: 2 } });
      await subscribe(sub, ctx.topic("#"), 1);
      const { client: pub } = await ctx.raw("p", 5);
      for (const n of [1, 2, 3, 4, 5]) await publish(pub, ctx.topic("m"), `m${n}`, { qos: 1 });
      await sub.settle();
      const unacknowledged = sub.drain("publish") as IPublishPacket[];
      const payloads = unacknowledged.map((p) => p.payload.toString());
      for (const p of unacknowledged) await acknowledge(sub, p);
      while (payloads.length < 5) {
        const next = (await sub.next("publish")) as IPublishPacket | null;
        if (!next) break;
        payloads.push(next.payload.toString());
        await acknowledge(sub, next);
      }
      return { inFlightBeforeAcks: unacknowledged.length, all: payloads };
    },
    expected: { inFlightBeforeAcks: 2, all: ["m1", "m2", "m3", "m4", "m5"] },
  },
  {
    id: "v5-receive-maximum-in",
    clause: "[MQTT-3.3.4-7] [MQTT-3.3.4-8] MQTT 5 §4.9",
    title: "MQTT 5: a client that exceeds the server's Receive Maximum is disconnected with 0x93",
    async run(ctx) {
      const { client, connack } = await ctx.raw("p", 5);
      const max = connack?.properties?.receiveMaximum ?? 65_535;
      if (max > 1000) return { receiveMaximumAdvertised: false };
      // QoS 2 without PUBREL: each stays in flight until PUBCOMP.
      for (let i = 0; i <= max; i++) {
        client.send({ cmd: "publish", topic: ctx.topic("flood"), payload: Buffer.from("x"), qos: 2, retain: false, dup: false, messageId: client.messageId() });
      }
      return { receiveMaximumAdvertised: true, disconnect: await serverDisconnect(client) };
    },
    expected: { receiveMaximumAdvertised: true, disconnect: 0x93 },
    differs: [
      {
        broker: "mosquitto",
        observed: { receiveMaximumAdvertised: true, disconnect: "open" },
        clause: "MQTT 5 §3.3.4, §4.9",
        right: "hearth",
        why: "a server that receives more unacknowledged QoS 1/2 PUBLISHes than its Receive Maximum uses DISCONNECT 0x93; Mosquitto 2.0.11 advertises 10 and accepts more",
      },
    ],
  },
  {
    id: "v5-max-packet-in",
    clause: "[MQTT-3.2.2-15] MQTT 5 §3.2.2.3.6 (0x95)",
    title: "MQTT 5: the server advertises its Maximum Packet Size and disconnects a larger packet with 0x95",
    async run(ctx) {
      const over = async (name: string, extra: number) => {
        const { client, connack } = await ctx.raw(name, 5);
        const max = connack?.properties?.maximumPacketSize;
        if (max === undefined || max > 8 * 1024 * 1024) return "no Maximum Packet Size advertised";
        const packet = (size: number) => ({ cmd: "publish" as const, topic: ctx.topic("big"), payload: Buffer.alloc(size, 0x61), qos: 1 as const, retain: false, dup: false, messageId: 1 });
        // Counted the way the limit is: the whole packet, fixed header and length bytes included
        // (the length field's own size changes with the length, so converge on it).
        let size = max + extra;
        for (let i = 0; i < 3; i++) size += max + extra - mqttPacket.generate(packet(size), { protocolVersion: 5 }).length;
        client.send(packet(size));
        const answer = await client.next((p) => p.cmd === "puback" || p.cmd === "disconnect");
        return answer?.cmd === "puback" ? "accepted" : await serverDisconnect(client);
      };
      return { oneByteOver: await over("one", 1), wellOver: await over("well", 1000) };
    },
    expected: { oneByteOver: 0x95, wellOver: 0x95 },
    differs: [
      {
        broker: "mosquitto",
        transport: "tcp",
        observed: { oneByteOver: "accepted", wellOver: 0x95 },
        clause: "MQTT 5 §3.2.2.3.6",
        right: "hearth",
        why: "the packet size is the total number of bytes of the packet; Mosquitto 2.0.11 leaves the remaining-length bytes out and accepts up to 3 bytes more than it advertises",
      },
      {
        broker: "mosquitto",
        transport: "ws",
        observed: { oneByteOver: "accepted", wellOver: "accepted" },
        clause: "MQTT 5 §3.2.2.3.6",
        right: "hearth",
        why: "Mosquitto 2.0.11 advertises its max_packet_size on WebSocket listeners but does not enforce it there (a 300 kB PUBLISH against 64 KiB was acknowledged)",
      },
    ],
  },
  {
    id: "v5-max-packet-out",
    clause: "[MQTT-3.1.2-24] [MQTT-3.1.2-25]",
    title: "MQTT 5: a message larger than the client's Maximum Packet Size is not sent to it",
    async run(ctx) {
      const { client: sub } = await ctx.raw("s", 5, { properties: { maximumPacketSize: 200 } });
      await subscribe(sub, ctx.topic("#"), 1);
      const { client: pub } = await ctx.raw("p", 5);
      await publish(pub, ctx.topic("small"), "x".repeat(20), { qos: 1 });
      await publish(pub, ctx.topic("large"), "x".repeat(400), { qos: 1 });
      await publish(pub, ctx.topic("small"), "y".repeat(20), { qos: 1 });
      const got = await untilMarker(sub, ctx.topic("end"));
      return { received: got.map((m) => `${m.topic.slice(ctx.topic("").length)} ${m.payload.length}`), stillConnected: !sub.closed };
    },
    expected: { received: ["small 20", "small 20"], stillConnected: true },
  },
  {
    id: "v5-message-expiry",
    clause: "[MQTT-3.3.2-5] [MQTT-3.3.2-6]",
    title: "MQTT 5: an expired message is dropped from a session's queue and from retained; the rest carry the remaining time",
    async run(ctx) {
      const keep = { clean: false, properties: { sessionExpiryInterval: 60 } };
      const away = await ctx.raw("away", 5, keep);
      await subscribe(away.client, ctx.topic("q/#"), 1);
      await disconnect(away.client);
      const { client: pub } = await ctx.raw("p", 5);
      await publish(pub, ctx.topic("q/short"), "short", { qos: 1, properties: { messageExpiryInterval: 1 } });
      await publish(pub, ctx.topic("q/long"), "long", { qos: 1, properties: { messageExpiryInterval: 60 } });
      await publish(pub, ctx.topic("retained"), "retained short", { qos: 1, retain: true, properties: { messageExpiryInterval: 1 } });
      ctx.defer(() => publish(pub, ctx.topic("retained"), "", { qos: 1, retain: true }));
      await sleep(2_200);
      const back = await ctx.raw("away", 5, keep);
      const queued = await untilMarker(back.client, ctx.topic("q/end"));
      const { client: late } = await ctx.raw("late", 5);
      await subscribe(late, ctx.topic("retained"), 1);
      await late.settle();
      const remaining = queued.map((m) => m.properties.messageExpiryInterval ?? "absent");
      return {
        queued: queued.map((m) => m.payload),
        remainingCountsDown: remaining.every((r) => typeof r === "number" && r < 60 && r >= 55),
        retained: (await received(late)).map((m) => m.payload),
      };
    },
    expected: { queued: ["long"], remainingCountsDown: true, retained: [] },
  },
];

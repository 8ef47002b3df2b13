// MQTT 5: what happens to a message — acknowledgement reason codes, topic aliases,
// flow control, size limits, expiry, properties carried through, subscription
// options and identifiers, shared subscriptions.
import mqttPacket, { type IPublishPacket } from "mqtt-packet";
import type { ConformanceCase } from "./case";
import { acknowledge, disconnect, lines, publish, receiveAll, received, serverDisconnect, sleep, subscribe, unsubscribe, untilMarker } from "./steps";

export const V5_MESSAGE_CASES: ConformanceCase[] = [
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
    id: "v5-puback-no-subscribers",
    clause: "MQTT 5 §3.4.2.1 (0x10), §3.5.2.1",
    title: "MQTT 5: PUBACK / PUBREC for a message nobody subscribes to",
    async run(ctx) {
      const { client } = await ctx.raw("s", 5);
      const qos1 = await publish(client, ctx.topic("nobody"), "x", { qos: 1 });
      const qos2 = await publish(client, ctx.topic("nobody"), "x", { qos: 2 });
      return { puback: qos1.ack, pubrec: qos2.ack, pubcomp: qos2.complete ?? "none" };
    },
    expected: { puback: 0, pubrec: 0, pubcomp: 0 },
    differs: [
      {
        broker: "mosquitto",
        observed: { puback: 0x10, pubrec: 0, pubcomp: 0 },
        clause: "MQTT 5 §3.4.2.1, §3.5.2.1",
        right: "both",
        why: "a server that knows no one subscribes MAY say 0x10 (No matching subscribers) instead of 0x00; Mosquitto 2.0 does in PUBACK but not in PUBREC, Hearth says 0x00",
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
  {
    id: "v5-properties-through",
    clause: "[MQTT-3.3.2-4] [MQTT-3.3.2-15] [MQTT-3.3.2-16] [MQTT-3.3.2-17] [MQTT-3.3.2-18] [MQTT-3.3.2-20]",
    title: "MQTT 5: payload format, content type, response topic, correlation data and user properties arrive unchanged",
    async run(ctx) {
      const { client: sub } = await ctx.raw("s", 5);
      await subscribe(sub, ctx.topic("#"), 1);
      const { client: pub } = await ctx.raw("p", 5);
      const properties = {
        payloadFormatIndicator: true,
        contentType: "application/json; charset=utf-8",
        responseTopic: ctx.topic("reply"),
        correlationData: Buffer.from([0, 1, 2, 0xfe, 0xff]),
        userProperties: { room: "kitchen", tag: ["b", "a", "b"] },
      };
      await publish(pub, ctx.topic("props"), '{"v":1}', { qos: 1, properties });
      const [got] = await untilMarker(sub, ctx.topic("end"));
      const p = got?.properties ?? {};
      return {
        payloadFormatIndicator: p.payloadFormatIndicator,
        contentType: p.contentType,
        responseTopic: p.responseTopic === ctx.topic("reply"),
        correlationData: p.correlationData?.toString("hex"),
        userProperties: p.userProperties,
      };
    },
    expected: {
      payloadFormatIndicator: true,
      contentType: "application/json; charset=utf-8",
      responseTopic: true,
      correlationData: "000102feff",
      userProperties: { room: "kitchen", tag: ["b", "a", "b"] },
    },
  },
  {
    id: "v5-no-local",
    clause: "[MQTT-3.8.3-3]",
    title: "MQTT 5: with No Local a client does not get its own messages back",
    async run(ctx) {
      const { client: me } = await ctx.raw("me", 5);
      await subscribe(me, [{ topic: ctx.topic("t"), qos: 1, nl: true }, { topic: ctx.topic("end"), qos: 1 }]);
      const { client: other } = await ctx.raw("other", 5);
      await publish(me, ctx.topic("t"), "mine", { qos: 1 });
      await publish(other, ctx.topic("t"), "theirs", { qos: 1 });
      return { received: (await untilMarker(me, ctx.topic("end"))).map((m) => m.payload) };
    },
    expected: { received: ["theirs"] },
  },
  {
    id: "v5-retain-as-published",
    clause: "[MQTT-3.3.1-12] [MQTT-3.3.1-13]",
    title: "MQTT 5: Retain As Published keeps the RETAIN flag on live messages; without it the flag is cleared",
    async run(ctx) {
      const { client: rap } = await ctx.raw("rap", 5);
      const { client: plain } = await ctx.raw("plain", 5);
      await subscribe(rap, [{ topic: ctx.topic("t"), qos: 1, rap: true }, { topic: ctx.topic("end/rap"), qos: 1 }]);
      await subscribe(plain, [{ topic: ctx.topic("t"), qos: 1, rap: false }, { topic: ctx.topic("end/plain"), qos: 1 }]);
      const { client: pub } = await ctx.raw("p", 5);
      await publish(pub, ctx.topic("t"), "live", { qos: 1, retain: true });
      ctx.defer(() => publish(pub, ctx.topic("t"), "", { qos: 1, retain: true }));
      const flags = async (c: typeof rap, name: string) => (await untilMarker(c, ctx.topic(`end/${name}`))).map((m) => m.retain);
      return { retainAsPublished: await flags(rap, "rap"), plain: await flags(plain, "plain") };
    },
    expected: { retainAsPublished: [true], plain: [false] },
  },
  {
    id: "v5-retain-handling",
    clause: "[MQTT-3.3.1-9] [MQTT-3.3.1-10] [MQTT-3.3.1-11]",
    title: "MQTT 5: Retain Handling 0 sends retained on every subscribe, 1 only on a new subscription, 2 never",
    async run(ctx) {
      const { client: pub } = await ctx.raw("p", 5);
      await publish(pub, ctx.topic("t"), "kept", { qos: 1, retain: true });
      ctx.defer(() => publish(pub, ctx.topic("t"), "", { qos: 1, retain: true }));
      const counts: Record<string, number> = {};
      for (const [name, rh] of [["rh0", 0], ["rh1", 1], ["rh2", 2]] as const) {
        const { client } = await ctx.raw(name, 5);
        const seen: number[] = [];
        for (let round = 0; round < 2; round++) {
          await subscribe(client, [{ topic: ctx.topic("t"), qos: 1, rh }]);
          await client.settle();
          seen.push((await received(client)).length);
        }
        counts[name] = seen.join(",") as never;
      }
      return counts;
    },
    expected: { rh0: "1,1", rh1: "1,0", rh2: "0,0" },
  },
  {
    id: "v5-subscription-ids",
    clause: "[MQTT-3.3.4-3] [MQTT-3.3.4-4] [MQTT-3.3.4-5] MQTT 5 §3.8.2.1.2",
    title: "MQTT 5: a message carries the Subscription Identifiers of the subscriptions it matched",
    async run(ctx) {
      const { client: sub, connack } = await ctx.raw("s", 5);
      await subscribe(sub, ctx.topic("t/+"), 1, { subscriptionIdentifier: 7 });
      await subscribe(sub, ctx.topic("t/#"), 1, { subscriptionIdentifier: 9 });
      await subscribe(sub, ctx.topic("end"), 1);
      const { client: pub } = await ctx.raw("p", 5);
      await publish(pub, ctx.topic("t/x"), "one level", { qos: 1 });
      await publish(pub, ctx.topic("t/x/y"), "two levels", { qos: 1 });
      const byPayload: Record<string, number[]> = {};
      for (const m of await untilMarker(sub, ctx.topic("end"))) {
        const ids = m.properties.subscriptionIdentifier;
        (byPayload[m.payload] ??= []).push(...(ids === undefined ? [] : Array.isArray(ids) ? ids : [ids]));
      }
      for (const ids of Object.values(byPayload)) ids.sort((a, b) => a - b);
      return { available: connack?.properties?.subscriptionIdentifiersAvailable !== false, identifiers: byPayload };
    },
    expected: { available: true, identifiers: { "one level": [7, 9], "two levels": [9] } },
  },
  {
    id: "v5-shared-subscription",
    clause: "MQTT 5 §4.8.2",
    title: "MQTT 5: $share/<group>/<filter> gives each message to one member; a plain subscriber still gets every one",
    async run(ctx) {
      const { client: pub } = await ctx.raw("p", 5);
      await publish(pub, ctx.topic("t"), "retained before", { qos: 1, retain: true });
      ctx.defer(() => publish(pub, ctx.topic("t"), "", { qos: 1, retain: true }));
      const members = [(await ctx.raw("m1", 5)).client, (await ctx.raw("m2", 5)).client];
      const { client: plain } = await ctx.raw("plain", 5);
      const shared = `$share/g-${ctx.clientId("g")}/${ctx.topic("t")}`;
      const granted = [];
      for (const m of members) granted.push(...((await subscribe(m, shared, 1)) ?? []));
      await subscribe(plain, ctx.topic("t"), 1);
      for (let n = 0; n < 10; n++) await publish(pub, ctx.topic("t"), `m${n}`, { qos: 1 });
      const perMember = await Promise.all(members.map(async (m) => (await receiveAll(m)).map((x) => x.payload)));
      const all = perMember.flat();
      return {
        granted,
        delivered: all.filter((p) => p.startsWith("m")).length,
        distinct: new Set(all).size,
        everyMemberServed: perMember.every((p) => p.length > 0),
        retainedToMembers: all.filter((p) => p === "retained before").length,
        plain: (await receiveAll(plain)).length,
      };
    },
    expected: { granted: [1, 1], delivered: 10, distinct: 10, everyMemberServed: true, retainedToMembers: 0, plain: 11 },
    differs: [
      {
        broker: "mosquitto",
        observed: { granted: [1, 1], delivered: 10, distinct: 11, everyMemberServed: true, retainedToMembers: 2, plain: 11 },
        clause: "MQTT 5 §4.8.2",
        right: "hearth",
        why: "retained messages are not sent to a session when it makes a shared subscription (they would reach every member, not one); Mosquitto 2.0.11 sends them to each member",
      },
    ],
  },
];

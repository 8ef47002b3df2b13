// MQTT 5: what subscribers get — properties carried through unchanged, the
// subscription options (No Local, Retain As Published, Retain Handling), Subscription
// Identifiers and shared subscriptions.
import type { ConformanceCase } from "./case";
import { publish, receiveAll, received, subscribe, untilMarker } from "./steps";

export const V5_SUBSCRIPTION_CASES: ConformanceCase[] = [
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

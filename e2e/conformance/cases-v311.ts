// MQTT 3.1.1: the behaviour every device relies on — QoS, retained messages, wills,
// persistent sessions, client ids, the CONNECT rules, $SYS, wildcards and $-topics.
import type { IConnackPacket, IPublishPacket } from "mqtt-packet";
import type { ConformanceCase } from "./case";
import { disconnect, lines, publish, receiveAll, received, serverDisconnect, subscribe, unsubscribe, untilMarker } from "./steps";

export const V311_CASES: ConformanceCase[] = [
  {
    id: "v4-qos-levels",
    clause: "[MQTT-3.8.4-6] [MQTT-4.3.2-1] [MQTT-4.3.3-1]",
    title: "3.1.1: messages at QoS 0, 1 and 2 reach a QoS 1 subscriber at the lower of the two QoS",
    async run(ctx) {
      const { client: sub } = await ctx.raw("s", 4);
      await subscribe(sub, ctx.topic("#"), 1);
      const { client: pub } = await ctx.raw("p", 4);
      const acks = [];
      for (const qos of [0, 1, 2] as const) acks.push(await publish(pub, ctx.topic(`q${qos}`), `at ${qos}`, { qos }));
      const got = await untilMarker(sub, ctx.topic("end"));
      return { acks, received: got.map((m) => `${m.payload} → ${m.qos}`) };
    },
    expected: { acks: [{ ack: 0 }, { ack: 0 }, { ack: 0, complete: 0 }], received: ["at 0 → 0", "at 1 → 1", "at 2 → 1"] },
  },
  {
    id: "v4-qos2-exactly-once",
    clause: "[MQTT-4.3.3-2] [MQTT-4.3.3-3]",
    title: "3.1.1: a QoS 2 PUBLISH sent again (DUP) before PUBREL is delivered once",
    async run(ctx) {
      const { client: sub } = await ctx.raw("s", 4);
      await subscribe(sub, ctx.topic("#"), 2);
      const { client: pub } = await ctx.raw("p", 4);
      const packet = { cmd: "publish" as const, topic: ctx.topic("once"), payload: Buffer.from("once"), qos: 2 as const, retain: false, dup: false, messageId: 9 };
      pub.send(packet);
      await pub.next("pubrec");
      pub.send({ ...packet, dup: true });
      await pub.next("pubrec");
      pub.send({ cmd: "pubrel", messageId: 9 });
      const pubcomp = await pub.next("pubcomp");
      return { pubcomp: pubcomp !== null, received: (await untilMarker(sub, ctx.topic("end"))).map((m) => m.payload) };
    },
    expected: { pubcomp: true, received: ["once"] },
  },
  {
    id: "v4-retained",
    clause: "[MQTT-3.3.1-5] [MQTT-3.3.1-6] [MQTT-3.3.1-8] [MQTT-3.3.1-9] [MQTT-3.3.1-10] [MQTT-3.3.1-11]",
    title: "3.1.1: a retained message is replaced, sent with RETAIN 1 to new subscribers, RETAIN 0 live, and cleared by an empty one",
    async run(ctx) {
      const { client: pub } = await ctx.raw("p", 4);
      await publish(pub, ctx.topic("r/a"), "first", { qos: 1, retain: true });
      await publish(pub, ctx.topic("r/a"), "second", { qos: 1, retain: true });
      await publish(pub, ctx.topic("r/b"), "other", { qos: 1, retain: true });
      ctx.defer(() => publish(pub, ctx.topic("r/b"), "", { qos: 1, retain: true }));
      const { client: first } = await ctx.raw("first", 4);
      await subscribe(first, ctx.topic("r/+"), 1);
      await first.settle();
      const onSubscribe = (await received(first)).map((m) => `${m.topic.slice(-3)} ${m.payload} retain=${m.retain}`).sort();
      await publish(pub, ctx.topic("r/a"), "live", { qos: 1, retain: true });
      await publish(pub, ctx.topic("r/a"), "", { qos: 1, retain: true });
      await first.settle();
      const live = (await received(first)).map((m) => `${m.payload || "(empty)"} retain=${m.retain}`);
      const { client: later } = await ctx.raw("later", 4);
      await subscribe(later, ctx.topic("r/+"), 1);
      await later.settle();
      return { onSubscribe, live, laterSubscriber: (await received(later)).map((m) => `${m.topic.slice(-3)} ${m.payload}`) };
    },
    expected: {
      onSubscribe: ["r/a second retain=true", "r/b other retain=true"],
      live: ["live retain=false", "(empty) retain=false"],
      laterSubscriber: ["r/b other"],
    },
  },
  {
    id: "v4-will",
    clause: "[MQTT-3.1.2-8] [MQTT-3.1.2-10] [MQTT-3.1.2-17]",
    title: "3.1.1: the will is published, retained if asked, when a client drops, and not after DISCONNECT",
    async run(ctx) {
      const { client: watcher } = await ctx.raw("w", 4);
      await subscribe(watcher, ctx.topic("#"), 1);
      const will = (name: string, retain: boolean) => ({ topic: ctx.topic(name), payload: Buffer.from(`${name} offline`), qos: 1 as const, retain });
      const dropped = await ctx.raw("dropped", 4, { will: will("dropped", true) });
      ctx.defer(async () => publish(watcher, ctx.topic("dropped"), "", { qos: 1, retain: true }));
      const polite = await ctx.raw("polite", 4, { will: will("polite", false) });
      await disconnect(polite.client);
      dropped.client.close();
      const arrived = (await watcher.next("publish")) as IPublishPacket | null;
      const wills = [arrived?.payload.toString() ?? "nothing", ...(await untilMarker(watcher, ctx.topic("end"))).map((m) => m.payload)];
      const { client: later } = await ctx.raw("later", 4);
      await subscribe(later, ctx.topic("dropped"), 1);
      await later.settle();
      return { wills, retained: (await received(later)).map((m) => `${m.payload} retain=${m.retain}`) };
    },
    expected: { wills: ["dropped offline"], retained: ["dropped offline retain=true"] },
  },
  {
    id: "v4-persistent-session",
    clause: "[MQTT-3.1.2-4] [MQTT-3.1.2-5] [MQTT-3.2.2-2] [MQTT-3.2.2-3]",
    title: "3.1.1: clean=0 keeps the subscriptions and queues QoS 1 and 2 messages while away; clean=1 discards it",
    async run(ctx) {
      const first = await ctx.raw("s", 4, { clean: false });
      await subscribe(first.client, ctx.topic("#"), 2);
      await disconnect(first.client);
      const { client: pub } = await ctx.raw("p", 4);
      for (const qos of [0, 1, 2] as const) await publish(pub, ctx.topic(`q${qos}`), `away at ${qos}`, { qos });
      const back = await ctx.raw("s", 4, { clean: false });
      const queued = (await untilMarker(back.client, ctx.topic("end"))).map((m) => m.payload);
      await disconnect(back.client);
      const clean = await ctx.raw("s", 4, { clean: true });
      return { sessionPresent: [first.connack?.sessionPresent, back.connack?.sessionPresent, clean.connack?.sessionPresent], queued };
    },
    expected: { sessionPresent: [false, true, false], queued: ["away at 1", "away at 2"] },
  },
  {
    id: "v4-empty-id-persistent",
    clause: "[MQTT-3.1.3-8] [MQTT-3.2.2-4] [MQTT-3.2.2-5]",
    title: "3.1.1: a zero-length client id with clean session 0 is refused with CONNACK 0x02 and the connection closed",
    async run(ctx) {
      const client = await ctx.open(4);
      // By hand: mqtt-packet refuses to encode what the clause forbids. CONNECT "MQTT" level 4,
      // flags 0x00 (clean session 0), keep alive 30, client id of length 0.
      client.sendBytes([0x10, 12, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x00, 0, 30, 0, 0]);
      const connack = (await client.next("connack")) as IConnackPacket | null;
      return { returnCode: connack?.returnCode ?? "no CONNACK", closed: await client.waitClosed() };
    },
    expected: { returnCode: 2, closed: true },
  },
  {
    id: "v4-empty-id-clean",
    clause: "[MQTT-3.1.3-6] [MQTT-3.1.3-7]",
    title: "3.1.1: a zero-length client id with clean session 1 is accepted",
    async run(ctx) {
      const { client, connack } = await ctx.raw("", 4, { clientId: "", clean: true });
      return { returnCode: connack?.returnCode ?? "no CONNACK", serves: await client.settle() };
    },
    expected: { returnCode: 0, serves: true },
  },
  {
    id: "v4-second-connect",
    clause: "[MQTT-3.1.0-2]",
    title: "3.1.1: a second CONNECT on a connection closes it",
    async run(ctx) {
      const { client } = await ctx.raw("c", 4);
      client.send({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clientId: ctx.clientId("c"), clean: true, keepalive: 30 });
      return { closed: await serverDisconnect(client) };
    },
    expected: { closed: "closed" },
  },
  {
    id: "v4-first-packet-connect",
    clause: "[MQTT-3.1.0-1]",
    title: "3.1.1: a connection whose first packet is not CONNECT is closed unanswered",
    async run(ctx) {
      const client = await ctx.open(4);
      client.send({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic: ctx.topic("t"), qos: 0 }] });
      return { closed: await client.waitClosed(), answers: client.received.map((p) => p.cmd) };
    },
    expected: { closed: true, answers: [] },
  },
  {
    id: "v4-session-taken-over",
    clause: "[MQTT-3.1.4-2]",
    title: "3.1.1: a second connection with the same client id closes the first",
    async run(ctx) {
      const first = await ctx.raw("same", 4);
      const second = await ctx.raw("same", 4);
      return { newConnack: second.connack?.returnCode, oldClosed: await first.client.waitClosed(), newServes: await second.client.settle() };
    },
    expected: { newConnack: 0, oldClosed: true, newServes: true },
  },
  {
    id: "v4-keep-alive",
    clause: "[MQTT-3.1.2-24] [MQTT-3.12.4-1]",
    title: "3.1.1: PINGREQ is answered; a client silent for 1.5 × its keep alive is disconnected",
    async run(ctx) {
      // 2 s, not 1: settle()'s PINGREQ must come before 1.5 × keep alive of silence; 3 s leaves
      // room for a stall on two shared cores (review-12 F5), and the close still comes inside 10 s.
      const { client } = await ctx.raw("k", 4, { keepalive: 2 });
      const pingresp = await client.settle();
      return { pingresp, closedWhenSilent: await client.waitClosed(10_000) };
    },
    expected: { pingresp: true, closedWhenSilent: true },
  },
  {
    id: "v4-wildcard-publish",
    clause: "[MQTT-3.3.2-2]",
    title: "3.1.1: a PUBLISH whose topic has a wildcard closes the connection",
    async run(ctx) {
      const { client } = await ctx.raw("p", 4);
      await publish(client, ctx.topic("+/x"), "bad", { qos: 1 });
      return { closed: await client.waitClosed() };
    },
    expected: { closed: true },
  },
  {
    id: "v4-subscribe-qos3",
    clause: "[MQTT-3.8.3-4]",
    title: "3.1.1: a SUBSCRIBE asking for QoS 3 closes the connection",
    async run(ctx) {
      const { client } = await ctx.raw("s", 4);
      // mqtt-packet refuses to encode QoS 3, so by hand: SUBSCRIBE id 1, topic "q", QoS 3.
      client.sendBytes([0x82, 6, 0, 1, 0, 1, 0x71, 3]);
      return { answers: (await serverDisconnect(client)) === "closed" ? client.received.map((p) => p.cmd) : "still open" };
    },
    expected: { answers: ["connack"] },
  },
  {
    id: "v4-unsubscribe",
    clause: "[MQTT-3.10.4-1] [MQTT-3.10.4-5]",
    title: "3.1.1: UNSUBSCRIBE stops delivery, and is acknowledged even for a filter never subscribed",
    async run(ctx) {
      const { client } = await ctx.raw("s", 4);
      await subscribe(client, [{ topic: ctx.topic("t"), qos: 1 }, { topic: ctx.topic("end"), qos: 1 }]);
      const unsuback = await unsubscribe(client, [ctx.topic("t"), ctx.topic("never")]);
      const { client: pub } = await ctx.raw("p", 4);
      await publish(pub, ctx.topic("t"), "after", { qos: 1 });
      return { unsuback: unsuback !== null, received: lines(await untilMarker(client, ctx.topic("end"))) };
    },
    expected: { unsuback: true, received: [] },
  },
  {
    id: "v4-wildcards",
    clause: "[MQTT-4.7.1-1] [MQTT-4.7.1-2] [MQTT-4.7.1-3]",
    title: "3.1.1: + matches exactly one level, # any number including the parent",
    async run(ctx) {
      const filters = ["house/+/temperature", "house/#", "house/+", "+/+/temperature"];
      const subscribers = await Promise.all(
        filters.map(async (f, i) => {
          const { client } = await ctx.raw(`s${i}`, 4);
          await subscribe(client, ctx.topic(f), 1);
          return client;
        }),
      );
      const { client: pub } = await ctx.raw("p", 4);
      for (const t of ["house", "house/attic/temperature", "house/attic/humidity", "house/a/b/temperature", "house/temperature"]) {
        await publish(pub, ctx.topic(t), "1", { qos: 1 });
      }
      const matched: Record<string, string[]> = {};
      for (const [i, client] of subscribers.entries()) {
        matched[filters[i]] = (await receiveAll(client)).map((m) => m.topic.slice(ctx.topic("").length));
      }
      return matched;
    },
    expected: {
      "house/+/temperature": ["house/attic/temperature"],
      "house/#": ["house", "house/attic/temperature", "house/attic/humidity", "house/a/b/temperature", "house/temperature"],
      "house/+": ["house/temperature"],
      "+/+/temperature": ["house/attic/temperature"],
    },
  },
  {
    id: "v4-sys-topics",
    clause: "[MQTT-4.7.2-1] MQTT 3.1.1 §4.7.2",
    title: "3.1.1: $SYS/# gets the broker's statistics; # and +/… do not match $SYS topics",
    transports: ["tcp"],
    async run(ctx) {
      const { client: sys } = await ctx.raw("sys", 4);
      const { client: all } = await ctx.raw("all", 4);
      await subscribe(sys, "$SYS/#", 0);
      await subscribe(all, [{ topic: "#", qos: 0 }, { topic: "+/broker/#", qos: 0 }]);
      // Connecting a client is news for $SYS either way; Mosquitto also publishes every sys_interval.
      await ctx.raw("news", 4);
      const first = await sys.next("publish", 5_000);
      await all.settle();
      const dollar = (await received(all)).filter((m) => m.topic.startsWith("$"));
      return { sysPublished: first !== null, wildcardsMatchedSys: dollar.map((m) => m.topic) };
    },
    expected: { sysPublished: true, wildcardsMatchedSys: [] },
  },
  {
    id: "v4-dollar-topics",
    clause: "MQTT 3.1.1 §4.7.2 [MQTT-4.7.2-1]",
    title: "3.1.1: clients are kept off topics starting with $; if one gets through, only a $ filter matches it",
    async run(ctx) {
      const { client: exact } = await ctx.raw("exact", 4);
      const { client: wild } = await ctx.raw("wild", 4);
      await subscribe(exact, `$${ctx.topic("#")}`, 1);
      await subscribe(wild, [{ topic: "+/+/x", qos: 1 }, { topic: ctx.topic("end"), qos: 1 }]);
      const { client: pub } = await ctx.raw("p", 4);
      const { ack } = await publish(pub, `$${ctx.topic("x")}`, "dollar", { qos: 1 });
      await exact.settle();
      return {
        ack, // a 3.1.1 server refuses a PUBLISH by closing the connection [MQTT-3.3.5-2]
        dollarFilter: (await received(exact)).map((m) => m.payload),
        leadingWildcard: (await untilMarker(wild, ctx.topic("end"))).map((m) => m.payload),
      };
    },
    expected: { ack: "closed", dollarFilter: [], leadingWildcard: [] },
    differs: [
      {
        broker: "mosquitto",
        observed: { ack: 0, dollarFilter: ["dollar"], leadingWildcard: [] },
        clause: "MQTT 3.1.1 §4.7.2",
        right: "hearth",
        why: "the server SHOULD prevent clients from exchanging messages on $ topics; Mosquitto 2.0 routes a client's $foo/… (only $SYS is refused); Hearth refuses it (publish-denied)",
      },
    ],
  },
];

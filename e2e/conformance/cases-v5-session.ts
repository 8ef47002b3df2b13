// MQTT 5: sessions, CONNECT and CONNACK, wills, keep alive, AUTH, and the reasons a
// server gives when it closes a connection. Each case: the behaviour, its clause,
// the scenario, and what the clause expects to be observed.
import type { IConnackPacket, IPublishPacket } from "mqtt-packet";
import type { ConformanceCase } from "./case";
import { disconnect, publish, serverDisconnect, sleep, subscribe, untilMarker } from "./steps";

const sessionPresent = (connack: IConnackPacket | null) => connack?.sessionPresent ?? "no CONNACK";
const reason = (connack: IConnackPacket | null) => connack?.reasonCode ?? "no CONNACK";

export const V5_SESSION_CASES: ConformanceCase[] = [
  {
    id: "v5-clean-start",
    clause: "[MQTT-3.1.2-4] [MQTT-3.1.2-5] [MQTT-3.2.2-2]",
    title: "MQTT 5: Clean Start 0 resumes a session that has not expired, Clean Start 1 discards it",
    async run(ctx) {
      const keep = { clean: false, properties: { sessionExpiryInterval: 60 } };
      const seen = [];
      const first = await ctx.raw("s", 5, keep);
      seen.push(sessionPresent(first.connack));
      await subscribe(first.client, ctx.topic("t"), 1);
      await disconnect(first.client);
      const second = await ctx.raw("s", 5, keep);
      seen.push(sessionPresent(second.connack));
      await disconnect(second.client);
      const third = await ctx.raw("s", 5, { clean: true });
      seen.push(sessionPresent(third.connack));
      return { sessionPresent: seen };
    },
    expected: { sessionPresent: [false, true, false] },
  },
  {
    id: "v5-expiry-absent",
    clause: "[MQTT-3.1.2-23] MQTT 5 §3.1.2.11.2",
    title: "MQTT 5: no Session Expiry Interval means the session ends with the connection",
    async run(ctx) {
      const first = await ctx.raw("s", 5, { clean: false });
      await subscribe(first.client, ctx.topic("t"), 1);
      await disconnect(first.client);
      const second = await ctx.raw("s", 5, { clean: false });
      return { sessionPresent: [sessionPresent(first.connack), sessionPresent(second.connack)] };
    },
    expected: { sessionPresent: [false, false] },
  },
  {
    id: "v5-expiry-on-disconnect",
    clause: "MQTT 5 §3.14.2.2.2",
    title: "MQTT 5: a DISCONNECT with Session Expiry Interval 0 ends a session that was to outlive the connection",
    async run(ctx) {
      const first = await ctx.raw("s", 5, { clean: false, properties: { sessionExpiryInterval: 60 } });
      await subscribe(first.client, ctx.topic("t"), 1);
      await disconnect(first.client, 0, { sessionExpiryInterval: 0 });
      const second = await ctx.raw("s", 5, { clean: false, properties: { sessionExpiryInterval: 60 } });
      return { sessionPresent: sessionPresent(second.connack) };
    },
    expected: { sessionPresent: false },
  },
  {
    id: "v5-expiry-elapsed",
    clause: "[MQTT-4.1.0-2] MQTT 5 §3.1.2.11.2",
    title: "MQTT 5: a session is discarded once its Session Expiry Interval has passed",
    async run(ctx) {
      const first = await ctx.raw("s", 5, { clean: false, properties: { sessionExpiryInterval: 1 } });
      await subscribe(first.client, ctx.topic("t"), 1);
      await disconnect(first.client);
      await sleep(2_500);
      const second = await ctx.raw("s", 5, { clean: false, properties: { sessionExpiryInterval: 1 } });
      return { sessionPresent: sessionPresent(second.connack) };
    },
    expected: { sessionPresent: false },
  },
  {
    id: "v5-offline-queue",
    clause: "[MQTT-3.1.2-5] MQTT 5 §4.1",
    title: "MQTT 5: QoS 1 messages published while a session is offline are delivered when it returns",
    async run(ctx) {
      const keep = { clean: false, properties: { sessionExpiryInterval: 60 } };
      const first = await ctx.raw("s", 5, keep);
      await subscribe(first.client, ctx.topic("#"), 1);
      await disconnect(first.client);
      const { client: publisher } = await ctx.raw("p", 5);
      for (const n of [1, 2]) await publish(publisher, ctx.topic(`m${n}`), `away ${n}`, { qos: 1 });
      const back = await ctx.raw("s", 5, keep);
      return { sessionPresent: sessionPresent(back.connack), received: (await untilMarker(back.client, ctx.topic("end"))).map((m) => m.payload) };
    },
    expected: { sessionPresent: true, received: ["away 1", "away 2"] },
  },
  {
    id: "v5-assigned-id",
    clause: "[MQTT-3.1.3-6] [MQTT-3.2.2-16]",
    title: "MQTT 5: a zero-length client id is given an Assigned Client Identifier in CONNACK",
    async run(ctx) {
      const { connack } = await ctx.raw("", 5, { clientId: "", clean: true });
      const assigned = connack?.properties?.assignedClientIdentifier;
      return { reasonCode: reason(connack), assigned: typeof assigned === "string" && assigned.length > 0 };
    },
    expected: { reasonCode: 0, assigned: true },
  },
  {
    id: "v5-bad-auth-method",
    clause: "[MQTT-4.12.0-1] MQTT 5 §4.12",
    title: "MQTT 5: an unsupported authentication method is refused in CONNACK and the connection closed",
    async run(ctx) {
      const { client, connack } = await ctx.raw("a", 5, {
        properties: { authenticationMethod: "SCRAM-SHA-1", authenticationData: Buffer.from("n,,n=user,r=abc") },
      });
      return { reasonCode: reason(connack), closed: await client.waitClosed() };
    },
    expected: { reasonCode: 0x8c, closed: true },
  },
  {
    id: "v5-unexpected-auth",
    clause: "MQTT 5 §4.12, §3.15.1",
    title: "MQTT 5: an AUTH packet on a connection that did not use enhanced authentication is a protocol error",
    async run(ctx) {
      const { client } = await ctx.raw("a", 5);
      client.send({ cmd: "auth", reasonCode: 0x19, properties: { authenticationMethod: "SCRAM-SHA-1" } });
      return { disconnect: await serverDisconnect(client) };
    },
    expected: { disconnect: 0x82 },
    differs: [
      {
        broker: "mosquitto",
        observed: { disconnect: "closed" },
        clause: "MQTT 5 §4.13.1",
        right: "hearth",
        why: "on a protocol error the server MUST close and SHOULD send DISCONNECT with the reason code first; Mosquitto 2.0.11 only closes",
      },
    ],
  },
  {
    id: "v5-server-keep-alive",
    clause: "[MQTT-3.2.2-21] [MQTT-3.1.2-21]",
    title: "MQTT 5: a keep alive above the server's maximum is answered with Server Keep Alive; the client then uses that",
    async run(ctx) {
      const requested = 65_535;
      const { connack } = await ctx.raw("k", 5, { keepalive: requested });
      const effective = connack?.properties?.serverKeepAlive ?? requested;
      const max = ctx.target.limits.maxKeepAliveSeconds;
      return { reasonCode: reason(connack), keepAlive: effective === Math.min(requested, max ?? requested) ? "the lower of the request and the broker's maximum" : effective };
    },
    expected: { reasonCode: 0, keepAlive: "the lower of the request and the broker's maximum" },
  },
  {
    id: "v5-keep-alive-timeout",
    clause: "[MQTT-3.1.2-22] MQTT 5 §3.14.2.1 (0x8D)",
    title: "MQTT 5: a client silent for 1.5 × its keep alive is disconnected with Keep Alive Timeout",
    async run(ctx) {
      // 2 s, not 1: whatever the client does right after CONNACK has 3 s, not 1.5 s, on two
      // cores shared with another worker (review-12 F5); the close still comes well inside 10 s.
      const { client } = await ctx.raw("k", 5, { keepalive: 2 });
      return { disconnect: await serverDisconnect(client, 10_000) };
    },
    expected: { disconnect: 0x8d },
    differs: [
      {
        broker: "mosquitto",
        observed: { disconnect: "closed" },
        clause: "[MQTT-3.1.2-22] MQTT 5 §3.14.2.1",
        right: "both",
        why: "the clause requires only the close; 0x8D is how a server says why, which issue 12 asks of Hearth; Mosquitto 2.0.11 closes without DISCONNECT",
      },
    ],
  },
  {
    id: "v5-session-taken-over",
    clause: "[MQTT-3.1.4-3] MQTT 5 §3.14.2.1 (0x8E)",
    title: "MQTT 5: a second connection with the same client id takes the session over; the first gets DISCONNECT 0x8E",
    async run(ctx) {
      const first = await ctx.raw("same", 5);
      const second = await ctx.raw("same", 5);
      return { newConnack: reason(second.connack), old: await serverDisconnect(first.client) };
    },
    expected: { newConnack: 0, old: 0x8e },
    differs: [
      {
        broker: "mosquitto",
        observed: { newConnack: 0, old: "closed" },
        clause: "[MQTT-3.1.4-3]",
        right: "hearth",
        why: "the server sends the existing client DISCONNECT 0x8E (Session taken over) and closes its connection; Mosquitto 2.0.11 only closes it",
      },
    ],
  },
  {
    id: "v5-second-connect",
    clause: "[MQTT-3.1.0-2] MQTT 5 §3.14.2.1 (0x82)",
    title: "MQTT 5: a second CONNECT on a connection is a protocol error and closes it",
    async run(ctx) {
      const { client } = await ctx.raw("c", 5);
      client.send({ cmd: "connect", protocolId: "MQTT", protocolVersion: 5, clientId: ctx.clientId("c"), clean: true, keepalive: 30 });
      return { disconnect: await serverDisconnect(client) };
    },
    expected: { disconnect: 0x82 },
    differs: [
      {
        broker: "mosquitto",
        observed: { disconnect: "closed" },
        clause: "[MQTT-3.1.0-2] MQTT 5 §4.13.1",
        right: "hearth",
        why: "a second CONNECT is a protocol error: the server MUST close and SHOULD send DISCONNECT 0x82 first; Mosquitto 2.0.11 only closes",
      },
    ],
  },
  {
    id: "v5-will-normal-disconnect",
    clause: "[MQTT-3.1.2-10] [MQTT-3.14.4-3] MQTT 5 §3.14.2.1 (0x04)",
    title: "MQTT 5: no will after DISCONNECT 0x00; the will after DISCONNECT 0x04 (with will message)",
    async run(ctx) {
      const { client: watcher } = await ctx.raw("w", 5);
      await subscribe(watcher, ctx.topic("#"), 1);
      const will = (name: string) => ({ topic: ctx.topic(name), payload: Buffer.from(`${name} offline`), qos: 1 as const, retain: false });
      const polite = await ctx.raw("polite", 5, { will: will("polite") });
      await disconnect(polite.client, 0x00);
      const leaving = await ctx.raw("leaving", 5, { will: will("leaving") });
      await disconnect(leaving.client, 0x04);
      return { wills: (await untilMarker(watcher, ctx.topic("end"))).map((m) => m.payload) };
    },
    expected: { wills: ["leaving offline"] },
  },
  {
    id: "v5-will-delay",
    clause: "[MQTT-3.1.3-9] MQTT 5 §3.1.3.2.2",
    title: "MQTT 5: a will with a 5 s delay is held back, then published; a reconnection within the delay cancels it",
    async run(ctx) {
      const { client: watcher } = await ctx.raw("w", 5);
      await subscribe(watcher, ctx.topic("#"), 1);
      const withWill = (name: string) =>
        ctx.raw(name, 5, {
          clean: false,
          properties: { sessionExpiryInterval: 30 },
          // 5 s: the reconnect, the 1 s look and its marker round trip, against both brokers at
          // once, must all fit inside the delay (review-12 F5: 2 s left ~1 s of margin).
          will: { topic: ctx.topic(name), payload: Buffer.from(`${name} offline`), qos: 1, retain: false, properties: { willDelayInterval: 5 } },
        });
      const dropped = await withWill("dropped");
      const back = await withWill("back");
      dropped.client.close();
      back.client.close();
      await withWill("back"); // within the delay: the session is back, its will is not sent
      await sleep(1_000);
      const early = (await untilMarker(watcher, ctx.topic("end"))).map((m) => m.payload);
      const late = (await watcher.next("publish", 10_000)) as IPublishPacket | null;
      await sleep(1_000); // the cancelled will would be due by now too
      const after = (await untilMarker(watcher, ctx.topic("end"))).map((m) => m.payload);
      return { after1s: early, later: [late?.payload.toString() ?? "nothing", ...after] };
    },
    expected: { after1s: [], later: ["dropped offline"] },
  },
  {
    id: "v5-problem-information",
    clause: "[MQTT-3.1.2-29] MQTT 5 §3.1.2.11.7",
    title: "MQTT 5: Request Problem Information 0 keeps reason strings and user properties off acknowledgements",
    async run(ctx) {
      const { client } = await ctx.raw("q", 5, { properties: { requestProblemInformation: false } });
      await publish(client, ctx.topic("nobody"), "x", { qos: 1 }); // PUBACK, maybe 0x10
      client.send({ cmd: "pubrel", messageId: 4242 }); // PUBCOMP 0x92
      await client.next("pubcomp");
      client.send({ cmd: "unsubscribe", messageId: 4243, unsubscriptions: [ctx.topic("never")] }); // UNSUBACK 0x11
      await client.next("unsuback");
      const talkative = client.received.filter((p) => {
        const props = (p as { properties?: { reasonString?: string; userProperties?: object } }).properties;
        return !["publish", "connack", "disconnect"].includes(p.cmd) && (props?.reasonString !== undefined || props?.userProperties !== undefined);
      });
      return { acknowledgements: client.received.length - 1, withProblemInformation: talkative.map((p) => p.cmd) };
    },
    expected: { acknowledgements: 3, withProblemInformation: [] },
  },
];


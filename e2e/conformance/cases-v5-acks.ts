// MQTT 5: what the server may say in an acknowledgement or CONNACK beyond "success" —
// 0x10 No matching subscribers, 0x99 Payload format invalid (PUBLISH and will), Response Information.
// All of them are a server's MAY; each case says what Hearth does and what Mosquitto does.
import type { ConformanceCase } from "./case";
import { publish, serverDisconnect, subscribe, untilMarker } from "./steps";

/** Not UTF-8: a lone continuation byte between two braces. */
const NOT_UTF8 = Buffer.from([0x7b, 0x80, 0x7d]);

export const V5_ACK_CASES: ConformanceCase[] = [
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
    expected: { puback: 0x10, pubrec: 0x10, pubcomp: 0 },
    differs: [
      {
        broker: "mosquitto",
        observed: { puback: 0x10, pubrec: 0, pubcomp: 0 },
        clause: "MQTT 5 §3.4.2.1, §3.5.2.1",
        right: "both",
        why: "a server that knows no one subscribes MAY say 0x10 (No matching subscribers) instead of 0x00, in PUBACK and in PUBREC alike; Mosquitto 2.0 does in PUBACK only, Hearth in both",
      },
    ],
  },
  {
    id: "v5-payload-format-invalid",
    clause: "MQTT 5 §3.3.2.3.2, §4.13, [MQTT-3.3.2-4]",
    title: "MQTT 5: a payload whose format indicator says UTF-8 and is not — refused with 0x99, not delivered",
    async run(ctx) {
      const { client: sub } = await ctx.raw("s", 5);
      await subscribe(sub, ctx.topic("#"), 1);
      const { client } = await ctx.raw("p", 5);
      const bad = await publish(client, ctx.topic("bad"), NOT_UTF8, { qos: 1, properties: { payloadFormatIndicator: true } });
      const text = await publish(client, ctx.topic("text"), "21.5 °C", { qos: 1, properties: { payloadFormatIndicator: true } });
      const got = await untilMarker(sub, ctx.topic("marker"));
      // QoS 0 has no acknowledgement to carry 0x99: the server may close the connection with it (§4.13).
      await publish(client, ctx.topic("bad0"), NOT_UTF8, { qos: 0, properties: { payloadFormatIndicator: true } });
      const qos0 = await serverDisconnect(client);
      return { bad: bad.ack, text: text.ack, delivered: got.map((m) => m.topic.split("/").pop()), qos0 };
    },
    expected: { bad: 0x99, text: 0, delivered: ["text"], qos0: 0x99 },
    differs: [
      {
        broker: "mosquitto",
        observed: { bad: 0, text: 0, delivered: ["bad", "text"], qos0: "open" },
        clause: "MQTT 5 §3.3.2.3.2",
        right: "both",
        why: "the receiver MAY validate a payload against its format indicator; Mosquitto 2.0 does not and delivers the bytes, Hearth refuses them so no subscriber is handed 'text' that is not UTF-8",
      },
    ],
  },
  {
    id: "v5-will-payload-format-invalid",
    clause: "MQTT 5 §3.1.3.2.3, §4.13 (a MAY: no numbered conformance statement)",
    title: "MQTT 5: a will whose format indicator says UTF-8 and is not — CONNACK 0x99, no will published",
    async run(ctx) {
      const { client: watcher } = await ctx.raw("w", 5);
      await subscribe(watcher, ctx.topic("#"), 1);
      const will = { topic: ctx.topic("bad"), payload: NOT_UTF8, qos: 1 as const, retain: false, properties: { payloadFormatIndicator: true } };
      const { client, connack } = await ctx.raw("bad", 5, { will });
      const accepted = connack !== null && connack.reasonCode === 0;
      // Accepted, the connection then fails as a network would: that publishes the will.
      if (accepted) client.close();
      const closed = accepted ? "accepted" : await serverDisconnect(client);
      const wills = (await untilMarker(watcher, ctx.topic("marker"))).map((m) => m.topic.split("/").pop());
      return { connack: connack?.reasonCode ?? "none", closed, wills };
    },
    expected: { connack: 0x99, closed: "closed", wills: [] },
    differs: [
      {
        broker: "mosquitto",
        observed: { connack: 0, closed: "accepted", wills: ["bad"] },
        clause: "MQTT 5 §3.1.3.2.3",
        right: "both",
        why: "the server MAY validate the will against its format indicator; Mosquitto 2.0 does not, accepts the CONNECT and later publishes the bytes as 'UTF-8'; Hearth refuses the CONNECT with 0x99, as it refuses such a PUBLISH",
      },
    ],
  },
  {
    id: "v5-response-information",
    clause: "MQTT 5 §3.1.2.11.6, §3.2.2.3.15, [MQTT-3.1.2-28]",
    title: "MQTT 5: Response Information in CONNACK only when the client requests it",
    async run(ctx) {
      const { connack: asked } = await ctx.raw("a", 5, { properties: { requestResponseInformation: true } });
      const { connack: silent } = await ctx.raw("b", 5, { properties: { requestResponseInformation: false } });
      const info = asked?.properties?.responseInformation;
      return {
        asked: typeof info === "string" ? (info.endsWith(ctx.clientId("a")) ? "response/<client id>" : info) : "none",
        notAsked: silent?.properties?.responseInformation ?? "none",
      };
    },
    expected: { asked: "response/<client id>", notAsked: "none" },
    differs: [
      {
        broker: "mosquitto",
        observed: { asked: "none", notAsked: "none" },
        clause: "MQTT 5 §3.1.2.11.6",
        right: "both",
        why: "with Request Response Information = 1 the server MAY return Response Information; Mosquitto 2.0 never does, Hearth returns response/<client id>; with 0 neither does [MQTT-3.1.2-28]",
      },
    ],
  },
];

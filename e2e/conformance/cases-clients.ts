// The clients people and devices use, against each broker: mqtt.js in both protocol
// versions, mosquitto_pub / mosquitto_sub in both, and Home Assistant's connection
// (python3-paho-mqtt, MQTT 5, clean start, will, birth, discovery).
import type { IPublishPacket } from "mqtt";
import type { ConformanceCase } from "./case";
import { homeAssistant, messageLines, mosquittoPub, mosquittoSub } from "./cli-clients";
import { publish, subscribe, untilMarker } from "./steps";

type Arrival = { topic: string; payload: string; properties?: IPublishPacket["properties"] };

export const CLIENT_CASES: ConformanceCase[] = [
  {
    id: "mqttjs-v5-v4",
    clause: "MQTT 5 §3.3.2.3, MQTT 3.1.1 §3.3",
    title: "mqtt.js: a v5 and a v4 client exchange messages; the v5 one gets the v5 publisher's properties",
    async run(ctx) {
      const v5 = await ctx.mqttjs("v5", { protocolVersion: 5 });
      const v4 = await ctx.mqttjs("v4", { protocolVersion: 4 });
      const seen: Record<string, Arrival[]> = { v5: [], v4: [] };
      v5.on("message", (topic, payload, packet) => seen.v5.push({ topic, payload: payload.toString(), properties: packet.properties }));
      v4.on("message", (topic, payload) => seen.v4.push({ topic, payload: payload.toString() }));
      await v5.subscribeAsync(ctx.topic("#"), { qos: 2 });
      await v4.subscribeAsync(ctx.topic("#"), { qos: 2 });
      await v5.publishAsync(ctx.topic("from-v5"), "five", { qos: 2, properties: { contentType: "text/plain", userProperties: { by: "v5" } } });
      await v4.publishAsync(ctx.topic("from-v4"), "four", { qos: 1 });
      await v4.publishAsync(ctx.topic("end"), "end", { qos: 1 });
      const ended = (list: Arrival[]) => list.some((m) => m.payload === "end");
      for (let i = 0; i < 100 && !(ended(seen.v5) && ended(seen.v4)); i++) await new Promise((r) => setTimeout(r, 20));
      const props = seen.v5.find((m) => m.payload === "five")?.properties;
      // Sorted: the order of messages from different publishers is not defined [MQTT-4.6.0-6 is per topic and publisher].
      return {
        v5: seen.v5.map((m) => m.payload).sort(),
        v4: seen.v4.map((m) => m.payload).sort(),
        v5Properties: { contentType: props?.contentType, userProperties: props?.userProperties },
      };
    },
    expected: { v5: ["end", "five", "four"], v4: ["end", "five", "four"], v5Properties: { contentType: "text/plain", userProperties: { by: "v5" } } },
  },
  {
    id: "mqttjs-request-response",
    clause: "MQTT 5 §4.10 [MQTT-3.3.2-15] [MQTT-3.3.2-16]",
    title: "mqtt.js v5: request/response with Response Topic and Correlation Data",
    async run(ctx) {
      const responder = await ctx.mqttjs("responder", { protocolVersion: 5 });
      responder.on("message", (_topic, payload, packet) => {
        const { responseTopic, correlationData } = packet.properties ?? {};
        if (responseTopic) responder.publish(responseTopic, `re: ${payload}`, { qos: 1, properties: { correlationData } });
      });
      await responder.subscribeAsync(ctx.topic("requests"), { qos: 1 });
      const requester = await ctx.mqttjs("requester", { protocolVersion: 5 });
      const reply = new Promise<{ payload: string; correlation: string }>((resolve) =>
        requester.on("message", (_t, payload, packet) => resolve({ payload: payload.toString(), correlation: packet.properties?.correlationData?.toString("hex") ?? "" })),
      );
      await requester.subscribeAsync(ctx.topic("replies"), { qos: 1 });
      await requester.publishAsync(ctx.topic("requests"), "toggle", {
        qos: 1,
        properties: { responseTopic: ctx.topic("replies"), correlationData: Buffer.from("c0ffee", "hex") },
      });
      const timeout = new Promise<string>((resolve) => setTimeout(() => resolve("no reply"), 5_000));
      return { reply: await Promise.race([reply, timeout]) };
    },
    expected: { reply: { payload: "re: toggle", correlation: "c0ffee" } },
  },
  {
    id: "mqttjs-v5-session",
    clause: "[MQTT-3.1.2-5] [MQTT-3.2.2-2] MQTT 5 §3.1.2.11.2",
    title: "mqtt.js v5: a session with an expiry interval is resumed after reconnecting, with the message sent meanwhile",
    async run(ctx) {
      const options = { protocolVersion: 5 as const, clean: false, properties: { sessionExpiryInterval: 60 } };
      const first = await ctx.mqttjs("s", options);
      await first.subscribeAsync(ctx.topic("#"), { qos: 1 });
      await first.endAsync();
      const pub = await ctx.mqttjs("p", { protocolVersion: 5 });
      await pub.publishAsync(ctx.topic("while-away"), "queued", { qos: 1 });
      const mqtt = (await import("mqtt")).default;
      const got: string[] = [];
      const back = mqtt.connect(ctx.target.url, { ...options, clientId: ctx.clientId("s"), reconnectPeriod: 0 });
      ctx.defer(() => back.endAsync(true));
      back.on("message", (_t, payload) => got.push(payload.toString()));
      const connack = await new Promise<{ sessionPresent: boolean }>((resolve) => back.once("connect", resolve));
      for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      return { sessionPresent: connack.sessionPresent, received: got };
    },
    expected: { sessionPresent: true, received: ["queued"] },
  },
  {
    id: "cli-v5-properties",
    clause: "[MQTT-3.3.2-4] [MQTT-3.3.2-17] [MQTT-3.3.2-20] MQTT 5 §3.3.2.3",
    title: "mosquitto_pub -V mqttv5 with properties → mosquitto_sub -V mqttv5 prints them unchanged",
    transports: ["tcp"],
    async run(ctx) {
      const sub = await mosquittoSub(ctx, "mqttv5", ctx.topic("#"), "%t|%p|%q|%C|%P|%R|%F", "-q", "2", "-C", "1", "-W", "10");
      await mosquittoPub(ctx, "mqttv5", "-t", ctx.topic("props"), "-m", '{"v":1}', "-q", "2",
        "-D", "publish", "content-type", "application/json",
        "-D", "publish", "user-property", "room", "kitchen",
        "-D", "publish", "response-topic", ctx.topic("reply"),
        "-D", "publish", "payload-format-indicator", "1");
      await sub.waitFor((l) => l.startsWith("MSG|"));
      return { printed: messageLines(sub).map((l) => l.replaceAll(ctx.topic(""), "")) };
    },
    expected: { printed: ['props|{"v":1}|2|application/json|room:kitchen|reply|1'] },
  },
  {
    id: "cli-v311-retained",
    clause: "[MQTT-3.3.1-5] [MQTT-3.3.1-8] [MQTT-4.3.3-1]",
    title: "mosquitto_pub -V mqttv311 -q 2 -r → a later mosquitto_sub -V mqttv311 -q 2 gets it retained at QoS 2",
    transports: ["tcp"],
    async run(ctx) {
      await mosquittoPub(ctx, "mqttv311", "-t", ctx.topic("state"), "-m", "ON", "-q", "2", "-r");
      ctx.defer(() => mosquittoPub(ctx, "mqttv311", "-t", ctx.topic("state"), "-n", "-q", "1", "-r"));
      const sub = await mosquittoSub(ctx, "mqttv311", ctx.topic("#"), "%q %r %t %p", "-q", "2", "-C", "1", "-W", "10");
      await sub.waitFor((l) => l.startsWith("MSG|"));
      return { printed: messageLines(sub).map((l) => l.replaceAll(ctx.topic(""), "")) };
    },
    expected: { printed: ["2 1 state ON"] },
  },
  {
    id: "cli-mixed-versions",
    clause: "MQTT 5 §3.3.2.3, MQTT 3.1.1 §3.3",
    title: "mosquitto_pub -V mqttv5 ↔ mosquitto_sub -V mqttv311 and the other way round",
    transports: ["tcp"],
    async run(ctx) {
      const v311 = await mosquittoSub(ctx, "mqttv311", ctx.topic("to-v311"), "%t %p", "-q", "1", "-C", "1", "-W", "10");
      const v5 = await mosquittoSub(ctx, "mqttv5", ctx.topic("to-v5"), "%t %p [%P]", "-q", "1", "-C", "1", "-W", "10");
      await mosquittoPub(ctx, "mqttv5", "-t", ctx.topic("to-v311"), "-m", "from five", "-q", "1", "-D", "publish", "user-property", "k", "v");
      await mosquittoPub(ctx, "mqttv311", "-t", ctx.topic("to-v5"), "-m", "from three", "-q", "1");
      await v311.waitFor((l) => l.startsWith("MSG|"));
      await v5.waitFor((l) => l.startsWith("MSG|"));
      const strip = (lines: string[]) => lines.map((l) => l.replaceAll(ctx.topic(""), ""));
      return { v311: strip(messageLines(v311)), v5: strip(messageLines(v5)) };
    },
    expected: { v311: ["to-v311 from five"], v5: ["to-v5 from three []"] },
  },
  {
    id: "home-assistant",
    clause: "MQTT 5 §3.1 (clean start, will), §3.3.1.3 (retained discovery)",
    title: "Home Assistant (paho-mqtt, MQTT 5): connects, gets retained discovery, its birth is seen, its will when it dies",
    async run(ctx) {
      const node = ctx.clientId("node").replaceAll("-", "_");
      const discovery = `homeassistant/sensor/${node}/temperature/config`;
      const config = JSON.stringify({ name: "Conformance temperature", state_topic: ctx.topic("temperature"), unit_of_measurement: "°C", unique_id: node });
      const { client: device } = await ctx.raw("device", 4);
      await publish(device, discovery, config, { qos: 1, retain: true });
      ctx.defer(() => publish(device, discovery, "", { qos: 1, retain: true }));
      const { client: watcher } = await ctx.raw("watcher", 5);
      await subscribe(watcher, ctx.topic("ha/#"), 1);
      const ha = homeAssistant(ctx, ctx.topic("ha/status"), "homeassistant");
      const connack = await ha.waitFor((e) => e.event === "connack");
      const suback = await ha.waitFor((e) => e.event === "suback");
      const config_ = await ha.waitFor((e) => e.event === "message" && e.topic === discovery);
      const birth = (await watcher.next("publish")) as IPublishPacket | null;
      await ha.kill();
      const will = (await watcher.next("publish")) as IPublishPacket | null;
      const extra = await untilMarker(watcher, ctx.topic("ha/end"));
      return {
        connack: connack ? { reason: connack.reason, sessionPresent: connack.session_present } : `no CONNACK: ${ha.output().split("\n").at(-1)}`,
        suback: suback?.reasons ?? "none",
        discovery: config_ ? { retain: config_.retain, sameConfig: config_.payload === config } : "not received",
        status: [birth?.payload.toString() ?? "no birth", will?.payload.toString() ?? "no will", ...extra.map((m) => m.payload)],
      };
    },
    expected: {
      connack: { reason: 0, sessionPresent: false },
      suback: [1],
      discovery: { retain: true, sameConfig: true },
      status: ["online", "offline"],
    },
    differs: [
      {
        broker: "hearth",
        transport: "ws",
        observed: {
          connack: { reason: 0x87, sessionPresent: false },
          suback: "none",
          discovery: "not received",
          status: ["no birth", "no will"],
        },
        clause: "MQTT 5 §3.2.2.2 (0x87 Not authorized); docs DESIGN.md Security",
        right: "hearth",
        why: "paho sends an Origin header, as a web page would: Hearth lets a same-origin WebSocket without a session through to CONNECT but gives it no loopback trust, so anonymous is refused with 0x87 and a device account is accepted (broker/session-gate.ts, broker/policy.test.ts). Home Assistant's default TCP works anonymously from loopback; see conformance finding 3",
      },
    ],
  },
];

// "What the hub acknowledged is stored", at the very start of an upstream-mode hub (noticed
// in session 10: "a live upstream QoS 1 reading arriving during the start-up hold is
// acknowledged before its history row is committed").
//  - broker/recording.ts's hold (`early`: a reading the device registry reads before the
//    recorder exists, recorded once it does, its handler returning nothing to wait on) is
//    reached by no upstream message: the upstream client is made with manualConnect and
//    connected by `upstream.start()`, the hub's last step, after startRecording has
//    returned (broker/hub.ts); and from the registry's `#` subscription to the recorder's,
//    the upstream bus's subscribe() resolves at once, so only microtasks run in between and
//    no socket data is handled there. Only retained copies replayed by the local bus reach it.
//  - But the earliest upstream messages, those the broker queued in Hearth's session while
//    it was away, come right after CONNACK: before the SUBACK of the SUBSCRIBE each start
//    makes, so before the retained discovery configs that follow it. A discovered sensor's
//    queued reading was acknowledged then and never recorded (this test with 5 queued,
//    before session 11's start-up hold; with 15 + 15 queued, more than Mosquitto's 20
//    in-flight slots, the hold too: its PUBACKs with no row, review-17 F1). Now the configs
//    are read first on a clean session of their own (upstream-retained-first.ts).
// The real hub (broker/hub.ts) against Mosquitto with such a queue; at each PUBACK Hearth
// sends (seen on a TCP tap between them), the history file is read in the same turn for
// the acknowledged reading's row: it must have committed already.
import assert from "node:assert/strict";
import { createServer, connect, type Server, type Socket } from "node:net";
import path from "node:path";
import { after, before, test } from "node:test";
import Database from "better-sqlite3";
import mqtt from "mqtt";
import { parser, type Packet } from "mqtt-packet";
import { freePort } from "../e2e/free-port";
import { startUpstreamMosquitto, type UpstreamMosquitto } from "./test-upstream-brokers";
import { eventually, upstreamHub } from "./test-upstream-hub";

const HEARTH = { username: "hearth", password: "hearth-hold-pass" };
const DEVICE = { username: "dev", password: "dev-hold-pass" };
const SENSOR_CONFIG = {
  name: "Temperature",
  state_topic: "zigbee2mqtt/Hold sensor",
  value_template: "{{ value_json.temperature }}",
  unit_of_measurement: "°C",
  device: { identifiers: ["zigbee2mqtt_0x00158d0001e2d3b5"], name: "Hold sensor" },
};
const SENSOR_KEY = "ha:sensor/0x00158d0001e2d3b5/temperature";
/** A sensor first announced while Hearth is away, its config retained at QoS 0: queued nowhere, only retained. */
const NEW_CONFIG = { ...SENSOR_CONFIG, state_topic: "zigbee2mqtt/New sensor", device: { identifiers: ["zigbee2mqtt_0x00158d0001e2d3b6"], name: "New sensor" } };
const NEW_KEY = "ha:sensor/0x00158d0001e2d3b6/temperature";
/** Readings queued per topic while Hearth is away: 2 × 15 > Mosquitto's 20 in-flight slots. */
const QUEUED = 15;
let broker: UpstreamMosquitto;

before(async () => {
  broker = await startUpstreamMosquitto({ [HEARTH.username]: HEARTH.password, [DEVICE.username]: DEVICE.password });
});
after(async () => {
  await broker?.stop();
});

type Acked = { topic: string; payload: string; committed: boolean };

/**
 * A TCP tap between Hearth and the broker, forwarding every byte unchanged: it notes the
 * QoS 1 PUBLISHes the broker sends and, at each PUBACK Hearth sends, asks `committed` about
 * the message it acknowledges, before the PUBACK is passed on.
 */
async function tap(target: number, protocolVersion: 4 | 5, committed: (topic: string, payload: string) => boolean) {
  const port = await freePort();
  const acked: Acked[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((hearth) => {
    const upstream = connect(target, "127.0.0.1");
    sockets.add(hearth).add(upstream);
    const sent = new Map<number, { topic: string; payload: string }>();
    const down = parser({ protocolVersion });
    down.on("packet", (p: Packet) => {
      if (p.cmd === "publish" && p.qos === 1) sent.set(p.messageId!, { topic: p.topic, payload: p.payload.toString() });
    });
    const up = parser({ protocolVersion });
    up.on("packet", (p: Packet) => {
      if (p.cmd !== "puback") return;
      const message = sent.get(p.messageId!);
      if (message) acked.push({ ...message, committed: committed(message.topic, message.payload) });
    });
    upstream.on("data", (chunk) => {
      down.parse(chunk);
      hearth.write(chunk);
    });
    hearth.on("data", (chunk) => {
      up.parse(chunk);
      upstream.write(chunk);
    });
    const close = () => {
      hearth.destroy();
      upstream.destroy();
    };
    hearth.on("close", close).on("error", close);
    upstream.on("close", close).on("error", close);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port,
    acked,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

for (const protocolVersion of [5, 4] as const) {
  const name = protocolVersion === 5 ? "MQTT 5" : "MQTT 3.1.1";
  const room = `hold${protocolVersion}`;
  const cellar = `home/${room}/temperature`;

  test(`${name}: readings the broker queued for Hearth while it was away, sent first thing at its start, are acknowledged only once their rows have committed`, { timeout: 60_000 }, async () => {
    let history = null as Database.Database | null;
    let dataDir = "";
    /** Read in the PUBACK's own turn, from the history file as a reader sees it (WAL: committed rows only). */
    const committed = (topic: string, payload: string): boolean => {
      history ??= new Database(path.join(dataDir, "history.sqlite"), { readonly: true, fileMustExist: true });
      const [key, value] = topic === cellar ? [cellar, Number(payload)] : [SENSOR_KEY, JSON.parse(payload).temperature as number];
      const row = history.prepare("SELECT count(*) AS n FROM readings r JOIN topics t ON t.id = r.topic_id WHERE t.topic = ? AND r.value = ?").get(key, value) as { n: number };
      return row.n > 0;
    };
    const wire = await tap(broker.port, protocolVersion, (topic, payload) => (topic === cellar || topic === SENSOR_CONFIG.state_topic ? committed(topic, payload) : true));
    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { ...DEVICE, protocolVersion, reconnectPeriod: 0 });
    const hub = await upstreamHub({
      HEARTH_MQTT_URL: `mqtt://127.0.0.1:${wire.port}`,
      HEARTH_MQTT_USERNAME: HEARTH.username,
      HEARTH_MQTT_PASSWORD: HEARTH.password,
      HEARTH_MQTT_PROTOCOL: protocolVersion === 5 ? "5" : "3.1.1",
      HEARTH_MQTT_CLIENT_ID: `hearth-hold-${protocolVersion}`,
    });
    dataDir = hub.dataDir;
    try {
      // The first start makes Hearth's session (and its subscription); the sensor is announced, retained.
      await hub.waitFor("connected");
      await device.publishAsync(`homeassistant/sensor/0x00158d0001e2d3b5/temperature/config`, JSON.stringify(SENSOR_CONFIG), { qos: 1, retain: true });
      await device.publishAsync(cellar, "1", { qos: 1 });
      await eventually("the first reading", async () => ((await hub.history(cellar)).includes(1) ? true : null));
      await hub.stop();

      // Away: the broker queues these for Hearth's session [MQTT-3.1.2-4]: more than
      // Mosquitto's max_inflight_messages (20), so they fill every in-flight slot and the
      // retained QoS 1 config the SUBSCRIBE sends again would queue behind them (review-17 F1).
      await device.publishAsync(`homeassistant/sensor/0x00158d0001e2d3b6/temperature/config`, JSON.stringify(NEW_CONFIG), { qos: 0, retain: true });
      for (let i = 2; i <= QUEUED + 1; i++) {
        await device.publishAsync(NEW_CONFIG.state_topic, JSON.stringify({ temperature: 40 + i }), { qos: 1 });
        await device.publishAsync(cellar, String(i), { qos: 1 });
        await device.publishAsync(SENSOR_CONFIG.state_topic, JSON.stringify({ temperature: 20 + i, linkquality: 80 }), { qos: 1 });
      }
      const before = wire.acked.length;
      await hub.start();
      await eventually("the queued readings acknowledged", () => (wire.acked.slice(before).filter((a) => a.topic === cellar).length >= QUEUED ? true : null));
      const queued = wire.acked.slice(before).filter((a) => a.topic === cellar || a.topic === SENSOR_CONFIG.state_topic);
      assert.deepEqual(
        queued.filter((a) => !a.committed),
        [],
        "every PUBACK of a reading came after its row had committed",
      );
      const sent = Array.from({ length: QUEUED }, (_, k) => k + 2);
      assert.deepEqual(await hub.history(cellar), [1, ...sent]);
      assert.deepEqual(await hub.history(SENSOR_KEY), sent.map((i) => 20 + i), "the discovered sensor's queued readings are recorded too");
      assert.deepEqual(await hub.history(NEW_KEY), sent.map((i) => 40 + i), "so are those of a sensor announced while Hearth was away");
      assert.deepEqual(
        queued.filter((a) => a.topic === cellar).map((a) => a.payload),
        sent.map(String),
      );
    } finally {
      history?.close();
      await device.endAsync();
      await hub.dispose();
      await wire.close();
    }
  });
}

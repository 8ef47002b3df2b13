// Hearth attached to Mosquitto 2 (issue 14): a password file and TLS, over MQTT 5 and
// 3.1.1. Readings published to Mosquitto land in Hearth's history, the dashboard's
// /mqtt is relayed (a toggle reaches the device, a reading reaches the page), alert
// states appear retained on Mosquitto, and a restart of Hearth loses no QoS 1 reading
// published while it was away (its persistent session).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import mqtt, { type MqttClient } from "mqtt";
import { startUpstreamMosquitto, type UpstreamMosquitto } from "./test-upstream-brokers";
import { eventually, nextMessage, upstreamHub } from "./test-upstream-hub";

const HEARTH = { username: "hearth", password: "hearth-upstream-pass" };
const DEVICE = { username: "hall-sensor", password: "device-pass-1234" };
const HOT = { id: "hall-hot", name: "Hall hot", severity: "warning", kind: "threshold", filter: "home/+/temperature", direction: "above", threshold: 30, clear: 28 };

let broker: UpstreamMosquitto;
const devices: MqttClient[] = [];

before(async () => {
  broker = await startUpstreamMosquitto({ [HEARTH.username]: HEARTH.password, [DEVICE.username]: DEVICE.password });
});
after(async () => {
  await Promise.all(devices.map((d) => d.endAsync(true)));
  await broker?.stop();
});

async function device(protocolVersion: 4 | 5): Promise<MqttClient> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { ...DEVICE, protocolVersion, reconnectPeriod: 0 });
  devices.push(client);
  return client;
}

for (const protocolVersion of [5, 4] as const) {
  describe(`Mosquitto over TLS with a password, MQTT ${protocolVersion === 5 ? "5" : "3.1.1"}`, () => {
    const env = {
      HEARTH_MQTT_URL: "",
      HEARTH_MQTT_USERNAME: HEARTH.username,
      HEARTH_MQTT_PASSWORD: HEARTH.password,
      HEARTH_MQTT_CA: "",
      HEARTH_MQTT_PROTOCOL: protocolVersion === 5 ? "5" : "3.1.1",
      HEARTH_MQTT_CLIENT_ID: `hearth-test-v${protocolVersion}`,
    };

    test("readings land in history, the dashboard is relayed both ways, alerts are retained upstream, a restart loses no QoS 1 reading", async () => {
      const hub = await upstreamHub({ ...env, HEARTH_MQTT_URL: `mqtts://127.0.0.1:${broker.tlsPort}`, HEARTH_MQTT_CA: broker.caFile }, { config: { alerts: { rules: [HOT] } } });
      try {
        // Connected means subscribed (the SUBACK came): nothing published from here on passes Hearth by.
        await hub.waitFor("connected");
        const operator = await hub.browser("operator");
        await operator.subscribeAsync(["home/#", "homeassistant/#", "hearth/alerts/#"], { qos: 0 });
        const sensor = await device(protocolVersion);

        // A reading published to Mosquitto: in history, and on the page.
        let operatorAlert: string | null = null;
        operator.on("message", (topic, payload) => topic.startsWith("hearth/alerts/hall-hot") && (operatorAlert = payload.toString()));
        const shown = nextMessage(operator, "home/hall/temperature");
        await sensor.publishAsync("home/hall/temperature", "31.5", { qos: 1 });
        assert.equal((await shown).payload, "31.5");
        await eventually("the reading in history", async () => ((await hub.history("home/hall/temperature")).includes(31.5) ? true : null));

        // The alert engine's state reaches the page, and stays retained on Mosquitto for whoever subscribes later.
        const firing = await eventually("the alert state on the page", () => operatorAlert);
        assert.match(firing, /firing/);
        const watcher = await device(protocolVersion);
        const retained = new Promise<{ payload: string; retain: boolean }>((resolve) =>
          watcher.on("message", (topic, payload, packet) => topic.startsWith("hearth/alerts/hall-hot") && resolve({ payload: payload.toString(), retain: packet.retain })),
        );
        await watcher.subscribeAsync("hearth/alerts/#", { qos: 1 });
        assert.deepEqual(await retained, { payload: firing, retain: true });

        // A toggle from the dashboard reaches the device on Mosquitto; its state comes back to the page.
        await sensor.subscribeAsync("home/hall/lamp/set", { qos: 1 });
        const command = nextMessage(sensor, "home/hall/lamp/set");
        await operator.publishAsync("home/hall/lamp/set", "ON", { qos: 1 });
        assert.equal((await command).payload, "ON");
        const state = nextMessage(operator, "home/hall/lamp/state");
        await sensor.publishAsync("home/hall/lamp/state", "ON", { qos: 1, retain: true });
        assert.equal((await state).payload, "ON");

        // A viewer's page may not switch anything: the relay never sees its publish.
        const viewer = await hub.browser("viewer");
        const closed = new Promise<void>((resolve) => viewer.once("close", () => resolve()));
        viewer.publish("home/hall/lamp/set", "OFF", { qos: 1 });
        await closed; // 3.1.1 cannot refuse a PUBLISH, so the connection closes [MQTT-3.3.5-2]
        const later = nextMessage(sensor, "home/hall/lamp/set");
        await operator.publishAsync("home/hall/lamp/set", "TOGGLE", { qos: 1 });
        assert.equal((await later).payload, "TOGGLE", "the device's next command is the operator's, not the viewer's OFF");

        // Hearth stops; the device publishes 50 QoS 1 readings, each acknowledged by Mosquitto.
        await hub.stop();
        const values = Array.from({ length: 50 }, (_, i) => 100 + i);
        for (const v of values) await sensor.publishAsync("home/hall/humidity", String(v), { qos: 1 });
        await hub.start();
        const stored = await eventually("all 50 readings after the restart", async () => {
          const got = await hub.history("home/hall/humidity");
          return values.every((v) => got.includes(v)) ? got : null;
        });
        assert.deepEqual([...new Set(stored)].sort(), values);

        // A page opened after the restart sees the lamp's retained state, from the mirror. The
        // mirror is refilled by the broker's retained copies as Hearth resubscribes: a page that
        // subscribes before they arrive gets the state live (retain 0, [MQTT-3.3.1-9]), so each
        // try is a new page, until the mirror answers with the retained state.
        const lamp = await eventually("the lamp's retained state for a page opened after the restart", async () => {
          const late = await hub.browser("viewer");
          const lampState = nextMessage(late, "home/hall/lamp/state");
          await late.subscribeAsync("home/#", { qos: 0 });
          const got = await Promise.race([lampState, new Promise<null>((resolve) => setTimeout(() => resolve(null), 1000))]);
          await late.endAsync(true);
          return got?.retain ? got : null;
        }, 20);
        assert.deepEqual(lamp, { payload: "ON", retain: true });
      } finally {
        await hub.dispose();
      }
    });
  });
}

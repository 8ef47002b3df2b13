// Developer tool (issue 14): what the external-broker mode costs, against a Mosquitto 2
// it starts (password file), with the hub composed in-process without Next.js.
//  - ingest: N QoS 1 readings published to Mosquitto by one device, time until all are
//    in Hearth's history (Hearth acknowledges each only after its row commits, and
//    mqtt.js handles one incoming QoS 1 message at a time);
//  - relay: a reading published to Mosquitto, time until a browser on Hearth's /mqtt
//    has it, against a subscriber on Mosquitto itself (the median of M);
//  - connections: what B browsers on /mqtt open on Mosquitto.
//   node --import tsx bench/tools/upstream-relay.ts [readings=5000] [samples=200] [browsers=20]
import { execFileSync } from "node:child_process";
import mqtt from "mqtt";
import { startUpstreamMosquitto } from "../../broker/test-upstream-brokers";
import { eventually, nextMessage, upstreamHub } from "../../broker/test-upstream-hub";

const [readings = "5000", samples = "200", browsers = "20"] = process.argv.slice(2).map(String);
const HEARTH = { username: "hearth", password: "bench-upstream-pass" };
const broker = await startUpstreamMosquitto({ [HEARTH.username]: HEARTH.password });
const hub = await upstreamHub({ HEARTH_MQTT_URL: `mqtt://127.0.0.1:${broker.port}`, ...Object.fromEntries(Object.entries(HEARTH).map(([k, v]) => [`HEARTH_MQTT_${k.toUpperCase()}`, v])) });
const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { ...HEARTH, clientId: "bench-device" });
const direct = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { ...HEARTH, clientId: "bench-direct" });
try {
  await hub.waitFor("connected");
  const n = Number(readings);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, (_, i) => device.publishAsync("home/bench/temperature", String(i), { qos: 1 })));
  const published = performance.now() - t0;
  await eventually("every reading stored", async () => ((await hub.history("home/bench/temperature")).length >= n ? true : null), 2000);
  const stored = performance.now() - t0;
  console.log(`ingest: ${n} QoS 1 readings published in ${published.toFixed(0)} ms, all in history after ${stored.toFixed(0)} ms → ${((n / stored) * 1000).toFixed(0)} readings/s`);

  const page = await hub.browser("viewer");
  await page.subscribeAsync("home/#", { qos: 0 });
  await direct.subscribeAsync("home/#", { qos: 0 });
  const viaHearth: number[] = [];
  const onMosquitto: number[] = [];
  for (let i = 0; i < Number(samples); i++) {
    const topic = `home/relay/s${i}`;
    const start = performance.now();
    const a = nextMessage(page, topic).then(() => viaHearth.push(performance.now() - start));
    const b = nextMessage(direct, topic).then(() => onMosquitto.push(performance.now() - start));
    await device.publishAsync(topic, "1", { qos: 0 });
    await Promise.all([a, b]);
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const p99 = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length * 0.99)];
  console.log(`relay: device → browser on Hearth's /mqtt median ${median(viaHearth).toFixed(2)} ms (p99 ${p99(viaHearth).toFixed(2)}), device → subscriber on Mosquitto median ${median(onMosquitto).toFixed(2)} ms (p99 ${p99(onMosquitto).toFixed(2)})`);

  const before = connectionsTo(broker.port);
  for (let i = 0; i < Number(browsers); i++) await hub.browser("viewer");
  const after = connectionsTo(broker.port);
  console.log(`connections: ${browsers} more browsers on /mqtt → ${after - before} more connections on Mosquitto (${after} in all: Hearth, the device, the direct subscriber)`);
} finally {
  await device.endAsync(true);
  await direct.endAsync(true);
  await hub.dispose();
  await broker.stop();
}

/** Established TCP connections to `port` on this machine (iproute2's ss). */
function connectionsTo(port: number): number {
  const out = execFileSync("ss", ["-Htn", "state", "established", `( dport = :${port} )`], { encoding: "utf8" });
  return out.split("\n").filter((l) => l.trim() !== "").length;
}

// How long an upstream hub's connection takes from start() to "connected" (the SUBACK of
// its `#` subscription), with a home's retained discovery configs on a real Mosquitto:
// A = the base bus (AB_BUS_A, a copy of integration9's broker/upstream-bus.ts placed in
// broker/), B = this branch's, which first reads the configs on a short clean session
// (upstream-retained-first.ts, review-17 F1). Alternated A B B A per round.
// Run: flock /work/locks/heavy.lock node --import tsx bench/tools/upstream-start.ts [configs] [rounds]
import { pathToFileURL } from "node:url";
import path from "node:path";
import mqtt from "mqtt";
import { DISCOVERY_FILTERS } from "../../broker/device-registry";
import { quietLog } from "../../broker/mqtt/test-server";
import { startUpstreamMosquitto } from "../../broker/test-upstream-brokers";
import { createUpstreamBus } from "../../broker/upstream-bus";

const configs = Number(process.argv[2] ?? 1500);
const rounds = Number(process.argv[3] ?? 3);
const baseFile = process.env.AB_BUS_A;
if (!baseFile) throw new Error("AB_BUS_A: the base upstream-bus.ts copied into broker/");
const base = (await import(pathToFileURL(path.resolve(baseFile)).href)) as { createUpstreamBus: typeof createUpstreamBus };

const users = { hearth: "hearth-bench", dev: "dev-bench" };
const broker = await startUpstreamMosquitto(users);
const url = `mqtt://127.0.0.1:${broker.port}`;
const device = await mqtt.connectAsync(url, { username: "dev", password: users.dev, protocolVersion: 5, reconnectPeriod: 0 });
const topics = Array.from({ length: configs }, (_, i) => `homeassistant/sensor/0x${i.toString(16).padStart(16, "0")}/temperature/config`);
await Promise.all(topics.map((t) => device.publishAsync(t, JSON.stringify({ state_topic: `${t}/state` }), { qos: 1, retain: true })));

const config = { urls: [url], username: "hearth", password: users.hearth, caFile: null, certFile: null, keyFile: null, protocolVersion: 5 as const, clientId: "hearth-bench" };
async function once(which: "A" | "B"): Promise<number> {
  const bus = which === "A" ? base.createUpstreamBus(config, quietLog()) : createUpstreamBus(config, quietLog(), { retainedFirst: DISCOVERY_FILTERS });
  let configsSeen = 0;
  await bus.subscribe("homeassistant/#", () => void configsSeen++);
  const t0 = performance.now();
  bus.start();
  while (!bus.connected()) await new Promise((r) => setImmediate(r));
  const ms = performance.now() - t0;
  await bus.end();
  return ms;
}
const results: Record<"A" | "B", number[]> = { A: [], B: [] };
for (let r = 0; r < rounds; r++) for (const which of ["A", "B", "B", "A"] as const) results[which].push(await once(which));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const which of ["A", "B"] as const) {
  const xs = results[which];
  console.log(`${which}: start -> connected, ${configs} retained configs: median ${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}), n=${xs.length}`);
}
await device.endAsync();
await broker.stop();

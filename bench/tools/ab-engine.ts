// Hearth's broker engine (broker/mqtt, in memory, no hooks) beside plain aedes, the
// issue 12 budgets: QoS 0 fan-in CPU per message ≤ aedes, QoS 1 pairs msg/s ≥ aedes.
// Alternates the two per repetition; the broker's CPU from /proc. Run it under the lock:
//   flock /work/locks/heavy.lock node --import tsx bench/tools/ab-engine.ts [reps] [messages]   (AB_FLOWS=burst: some flows)
import path from "node:path";
import { freePort } from "../../e2e/free-port";
import { bundle, HUB_BUNDLE } from "../../scripts/build-hub";
import { runFlow, type Pattern } from "../lib/mqtt-load";
import { cpuTimeMs, pin } from "../lib/proc";
import { startAedes } from "../lib/servers";
import { spawn } from "node:child_process";

const reps = Number(process.argv[2] ?? 3);
const messages = Number(process.argv[3] ?? 20_000);

async function startEngine() {
  const file = path.join(path.dirname(HUB_BUNDLE), "bench-engine-server.mjs");
  await bundle("bench/lib/engine-server.ts", file);
  const port = await freePort();
  const child = spawn("taskset", ["-c", "0", process.execPath, file], { env: { ...process.env, PORT: String(port) }, stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve) => child.stdout!.on("data", (d) => /ready/.test(String(d)) && resolve()));
  return { pid: child.pid!, mqttUrl: `mqtt://127.0.0.1:${port}`, stop: async () => void child.kill("SIGTERM") };
}

async function settled(pid: number) {
  let previous = cpuTimeMs(pid);
  for (let i = 0; i < 15; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const now = cpuTimeMs(pid);
    if (now - previous < 10) return now;
    previous = now;
  }
  return previous;
}

pin(process.pid, "1");
const servers = { aedes: await startAedes({ core: 0 }), engine: await startEngine() };
const flows: { pattern: Pattern; window: number; label: string }[] = [
  { pattern: "fan-in" as Pattern, window: 50, label: "fan-in QoS 0 steady" },
  { pattern: "fan-in" as Pattern, window: Infinity, label: "fan-in QoS 0 burst" },
  { pattern: "qos1-pairs" as Pattern, window: 50, label: "QoS 1 pairs steady" },
  { pattern: "qos1-pairs" as Pattern, window: Infinity, label: "QoS 1 pairs burst" },
  // AB_FLOWS="QoS 1" runs only the flows whose label contains it.
].filter((f) => f.label.includes(process.env.AB_FLOWS ?? ""));
const results: Record<string, { msgPerS: number[]; cpuUs: number[] }> = {};
for (const flow of flows) await runFlow(servers.engine.mqttUrl, { pattern: flow.pattern, messages: 2000, window: flow.window, deadlineMs: 10_000 });
for (const flow of flows) await runFlow(servers.aedes.mqttUrl, { pattern: flow.pattern, messages: 2000, window: flow.window, deadlineMs: 10_000 });
for (let rep = 0; rep < reps; rep++) {
  for (const flow of flows) {
    for (const name of rep % 2 ? (["engine", "aedes"] as const) : (["aedes", "engine"] as const)) {
      const server = servers[name];
      const before = await settled(server.pid);
      const r = await runFlow(server.mqttUrl, { pattern: flow.pattern, messages, window: flow.window, deadlineMs: 30_000 });
      const after = await settled(server.pid);
      const key = `${flow.label} | ${name}`;
      results[key] ??= { msgPerS: [], cpuUs: [] };
      results[key].msgPerS.push(r.delivered / (r.elapsedMs / 1000));
      results[key].cpuUs.push(((after - before) * 1000) / r.delivered);
      if (r.timedOut) console.log(`${key}: timed out, ${r.delivered}/${r.expected}`);
    }
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [key, r] of Object.entries(results)) {
  console.log(`${key.padEnd(32)} ${median(r.msgPerS).toFixed(0).padStart(7)} msg/s  ${median(r.cpuUs).toFixed(1).padStart(6)} µs CPU/msg   (msg/s ${r.msgPerS.map((x) => x.toFixed(0)).join(", ")})`);
}
await servers.aedes.stop();
await servers.engine.stop();
process.exit(0);

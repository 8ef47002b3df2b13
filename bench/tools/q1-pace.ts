// Developer tool: what paces a flow (issue 12, QoS 1 pairs). Runs the flow against the
// hub (A, and B with AB_ENV) and plain aedes, alternating, pinned as the bench pins them
// (brokers on core 0, this load generator on core 1), and prints per run the rate and
// the share of a core each side used: the broker process (all threads), the hub's main
// (broker) thread, and the load generator itself. A side near 1.0 is the one that paces.
// B is the same build with AB_ENV set, or with AB_BUNDLE another build of the hub (a copy of
// dist/ beside it, e.g. dist-base/hub.mjs, made before a change).
// AB_BUNDLE_A: another build of hub A the same way.
//   node --import tsx bench/tools/q1-pace.ts [pattern=qos1-pairs] [messages=30000] [window=50] [rounds=3]
import path from "node:path";
import { runFlow, type Pattern } from "../lib/mqtt-load";
import { cpuTimeMs, pin, threadCpuTimeMs } from "../lib/proc";
import { startAedes, startHub, type Server } from "../lib/servers";

const [pattern = "qos1-pairs", messages = "30000", window = "50", rounds = "3"] = process.argv.slice(2);
const envB = Object.fromEntries(
  (process.env.AB_ENV ?? "").split(/\s+/).filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)] as [string, string]),
);

pin(process.pid, "1");
const servers: { label: string; server: Server; hub: boolean }[] = [];
try {
  servers.push({ label: "A", server: await startHub({ core: 0, bundle: process.env.AB_BUNDLE_A ? path.resolve(process.env.AB_BUNDLE_A) : undefined }), hub: true });
  if (process.env.AB_ENV || process.env.AB_BUNDLE) {
    const bundle = process.env.AB_BUNDLE ? path.resolve(process.env.AB_BUNDLE) : undefined;
    servers.push({ label: "B", server: await startHub({ core: 0, env: envB, bundle }), hub: true });
  }
  servers.push({ label: "aedes", server: await startAedes({ core: 0 }), hub: false });
  const spec = { pattern: pattern as Pattern, window: window === "Infinity" ? Infinity : Number(window), deadlineMs: 60_000 };
  for (const { server } of servers) await runFlow(server.mqttUrl, { ...spec, messages: 2000 }); // warm-up
  const rates = new Map<string, number[]>(servers.map((s) => [s.label, []]));
  for (let round = 0; round < Number(rounds); round++) {
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    for (const { label, server, hub } of order) {
      const b0 = cpuTimeMs(server.pid);
      const m0 = hub ? threadCpuTimeMs(server.pid, server.pid) : 0;
      const g0 = process.cpuUsage();
      const r = await runFlow(server.mqttUrl, { ...spec, messages: Number(messages) });
      const g = process.cpuUsage(g0);
      const broker = cpuTimeMs(server.pid) - b0;
      const main = hub ? threadCpuTimeMs(server.pid, server.pid) - m0 : NaN;
      const rate = (r.delivered * 1000) / r.elapsedMs;
      rates.get(label)!.push(rate);
      // The CPU figures span connect + flow + close; the flow is most of it at 30k messages.
      const span = r.elapsedMs;
      console.log(
        `${label.padEnd(5)} ${r.delivered}/${r.expected} in ${span.toFixed(0)} ms = ${(rate / 1000).toFixed(1)}k msg/s; ` +
          `cores: broker ${(broker / span).toFixed(2)}${hub ? ` (main thread ${(main / span).toFixed(2)})` : ""}, ` +
          `generator ${((g.user + g.system) / 1000 / span).toFixed(2)}; broker ${((broker * 1000) / r.delivered).toFixed(1)} µs/msg`,
      );
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const [label, rs] of rates) console.log(`${label.padEnd(5)} median ${(median(rs) / 1000).toFixed(1)}k msg/s (${rs.map((x) => (x / 1000).toFixed(1)).join(" ")})`);
} finally {
  await Promise.all(servers.map(({ server }) => server.stop()));
}

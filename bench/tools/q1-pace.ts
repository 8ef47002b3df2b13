// Developer tool: what paces a flow (issue 12: QoS 1 pairs, fan-in steady). Runs the flow
// against the hub (A, and B: ab-builds.ts) and plain aedes, alternating, pinned as the bench
// pins them (brokers on core 0, this load generator on core 1), and prints per run the rate
// and, as shares of the run's wall time, for the broker process (all threads), the hub's main
// (broker) thread and the load generator: time on a core ("cpu") and time runnable but
// waiting for one ("wait", /proc schedstat). A side near 1.0 of cpu is the one that paces;
// much "wait" means the machine's other work took the core; a side low on both idled.
// PACE_PAGE=A,B (or A, or B): those hubs with a dashboard page open (as the bench's fan-in
// rows; Chromium on core 1 beside the generator), its processes' share of a core printed as
// "chromium". PACE_ENGINE=1 adds Hearth's broker alone (no hooks, recorder or web thread).
//   node --import tsx bench/tools/q1-pace.ts [pattern=qos1-pairs] [messages=30000] [window=50] [rounds=3]
import type { Browser } from "playwright-core";
import { abBuilds } from "../lib/ab-builds";
import { launchBrowser, openDashboard } from "../lib/browser";
import { runFlow, type Pattern } from "../lib/mqtt-load";
import { descendants, pin, schedMs, totalCpuTimeMs, type SchedMs } from "../lib/proc";
import { startAedes, startEngine, startHub, type Server } from "../lib/servers";

const [pattern = "qos1-pairs", messages = "30000", window = "50", rounds = "3"] = process.argv.slice(2);
const ab = abBuilds();
/** CPU ms of this tool's Chromium processes (every descendant that is not a broker). */
const chromiumMs = () => totalCpuTimeMs(descendants(process.pid).filter((pid) => !servers.some((s) => s.server.pid === pid)));

pin(process.pid, "1");
const servers: { label: string; server: Server; hub: boolean }[] = [];
let browser: Browser | null = null;
try {
  servers.push({ label: "A", server: await startHub({ core: 0, bundle: ab.bundleA }), hub: true });
  if (ab.hasB) servers.push({ label: "B", server: await startHub({ core: 0, env: ab.envB, bundle: ab.bundleB }), hub: true });
  const withPage = (process.env.PACE_PAGE ?? "").split(",").filter(Boolean);
  if (withPage.length > 0) {
    browser = await launchBrowser();
    for (const { label, server } of servers) if (withPage.includes(label)) await openDashboard(browser, server.httpUrl!);
  }
  if (process.env.PACE_ENGINE === "1") servers.push({ label: "alone", server: await startEngine({ core: 0 }), hub: false });
  servers.push({ label: "aedes", server: await startAedes({ core: 0 }), hub: false });
  const spec = { pattern: pattern as Pattern, window: window === "Infinity" ? Infinity : Number(window), deadlineMs: 60_000 };
  for (const { server } of servers) await runFlow(server.mqttUrl, { ...spec, messages: 2000 }); // warm-up
  const rates = new Map<string, number[]>(servers.map((s) => [s.label, []]));
  const since = (before: SchedMs, after: SchedMs) => ({ runMs: after.runMs - before.runMs, waitMs: after.waitMs - before.waitMs });
  const shares = (s: SchedMs, span: number) => `cpu ${(s.runMs / span).toFixed(2)} wait ${(s.waitMs / span).toFixed(2)}`;
  for (let round = 0; round < Number(rounds); round++) {
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    for (const { label, server, hub } of order) {
      const b0 = schedMs(server.pid);
      const m0 = schedMs(server.pid, server.pid);
      const g0 = schedMs(process.pid);
      const c0 = chromiumMs();
      const r = await runFlow(server.mqttUrl, { ...spec, messages: Number(messages) });
      const broker = since(b0, schedMs(server.pid));
      const main = since(m0, schedMs(server.pid, server.pid));
      const generator = since(g0, schedMs(process.pid));
      const chromium = chromiumMs() - c0;
      const rate = (r.delivered * 1000) / r.elapsedMs;
      rates.get(label)!.push(rate);
      // The figures span connect + flow + close; the flow is most of it at 30k messages.
      const span = r.elapsedMs;
      console.log(
        `${label.padEnd(5)} ${r.delivered}/${r.expected} in ${span.toFixed(0)} ms = ${(rate / 1000).toFixed(1)}k msg/s; ` +
          `broker ${shares(broker, span)}${hub ? ` (main thread ${shares(main, span)})` : ""}; generator ${shares(generator, span)}; ` +
          (browser ? `chromium cpu ${(chromium / span).toFixed(2)}; ` : "") +
          `broker ${((broker.runMs * 1000) / r.delivered).toFixed(1)} µs/msg`,
      );
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const [label, rs] of rates) console.log(`${label.padEnd(5)} median ${(median(rs) / 1000).toFixed(1)}k msg/s (${rs.map((x) => (x / 1000).toFixed(1)).join(" ")})`);
} finally {
  await browser?.close();
  await Promise.all(servers.map(({ server }) => server.stop()));
}

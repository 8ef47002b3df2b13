// Developer tool: a CPU profile of the hub (node --cpu-prof) while one of the brokers
// section's flows runs against it, with a dashboard open, pinned as the bench pins it
// (hub on core 0, load and browser on core 1), summarised by self time.
//   node --import tsx bench/tools/profile-flow.ts [pattern=fan-in] [messages=30000] [window=50]
// PROFILE_LOADGEN=procs: qos1-pairs on the bench's multi-process generator (lib/loadgen.ts), as the brokers section runs it.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { launchBrowser, openDashboard } from "../lib/browser";
import { runPairsProcs } from "../lib/loadgen";
import { runFlow, type FlowSpec, type Pattern } from "../lib/mqtt-load";
import { pin } from "../lib/proc";
import { startHub } from "../lib/servers";
import { summarizeProfile, type Profile } from "./cpuprofile";

const [pattern = "fan-in", messages = "30000", window = "50"] = process.argv.slice(2);
const dir = mkdtempSync(path.join(tmpdir(), "hearth-flow-prof-"));
pin(process.pid, "1");
const hub = await startHub({ core: 0, nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`, "--cpu-prof-interval=250"] });
const browser = await launchBrowser();
// Both processes' monotonic clocks (V8's profile timestamps and hrtime) are CLOCK_MONOTONIC:
// only the samples taken while the measured flow ran are summarised.
let from = 0;
let to = 0;
try {
  if (process.env.PROFILE_NO_PAGE !== "1") await openDashboard(browser, hub.httpUrl!);
  const inProcs = process.env.PROFILE_LOADGEN === "procs" && pattern === "qos1-pairs";
  const run = (s: FlowSpec) => (inProcs ? runPairsProcs(hub.mqttPort, { ...s, procs: 2, cores: "1" }) : runFlow(hub.mqttUrl, s));
  const spec = { pattern: pattern as Pattern, window: window === "Infinity" ? Infinity : Number(window), deadlineMs: 60_000 };
  await run({ ...spec, messages: 2000 }); // warm-up
  from = Number(process.hrtime.bigint() / 1000n);
  const r = await run({ ...spec, messages: Number(messages) });
  await new Promise((res) => setTimeout(res, 300)); // work queued behind the last delivery
  to = Number(process.hrtime.bigint() / 1000n);
  console.log(`${pattern}: ${r.delivered}/${r.expected} in ${r.elapsedMs.toFixed(0)} ms`);
} finally {
  await browser.close();
  await hub.stop();
}
const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
if (!file) throw new Error(`no profile in ${dir}`);
const profile = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as Profile & { startTime: number };
// Keep the flow's samples: zero the time of every other sample (and of idle time).
let at = profile.startTime;
const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id));
profile.timeDeltas = profile.timeDeltas.map((delta, i) => {
  at += delta;
  return at >= from && at <= to && !idle.has(profile.samples[i]) ? delta : 0;
});
writeFileSync(path.join(dir, "flow.cpuprofile"), JSON.stringify(profile));
console.log(`${path.join(dir, "flow.cpuprofile")} (the flow's samples only)\n${summarizeProfile(profile, (to - from) / 1e6, 70)}`);

// Developer tool, not a bench section: a CPU profile of the dashboard page while
// readings stream in, summarised by self time per function. Used to find out why a
// dashboard budget is not met (a profile, not a guess).
//   node --import tsx bench/tools/profile-page.ts [topics=100] [rate=1000] [seconds=3]
import { writeFileSync } from "node:fs";
import { launchBrowser, openDashboard } from "../lib/browser";
import { closeAll, connectMany } from "../lib/mqtt-load";
import { publishPaced } from "../lib/paced";
import { rendererPids, totalCpuTimeMs } from "../lib/proc";
import { startHub } from "../lib/servers";
import { waitForRows } from "../lib/dashboard-rig";
import { summarizeProfile, type Profile } from "./cpuprofile";


const [topicCount = 100, rate = 1000, seconds = 3] = process.argv.slice(2).map(Number);
const topics = Array.from({ length: topicCount }, (_, i) => `home/prof-${String(Math.floor(i / 10)).padStart(3, "0")}/m${i % 10}`);

const hub = await startHub();
const browser = await launchBrowser();
const clients = await connectMany(hub.mqttUrl, "prof", 10);
try {
  const page = await openDashboard(browser, hub.httpUrl!, process.env.PROFILE_INIT);
  topics.forEach((t, i) => clients[i % clients.length].publish(t, "1"));
  await waitForRows(page, "home/prof-", topics.length, 120_000);
  // Experiments: PROFILE_CSS="…" is added to the page first, to see what a style costs.
  if (process.env.PROFILE_CSS) await page.addStyleTag({ content: process.env.PROFILE_CSS });
  const cdp = await page.context().newCDPSession(page);
  let frames = 0;
  await cdp.send("Network.enable");
  cdp.on("Network.webSocketFrameReceived", () => frames++);
  await cdp.send("Profiler.enable");
  await cdp.send("Performance.enable");
  const metrics = async () => Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
  const before = await metrics();
  await cdp.send("Profiler.setSamplingInterval", { interval: Number(process.env.PROFILE_INTERVAL_US ?? 200) });
  const tracing = process.env.PROFILE_TRACE !== "0";
  if (tracing) {
    await cdp.send("Profiler.start");
    await browser.startTracing(page, { categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", ...(process.env.PROFILE_CATEGORIES?.split(",") ?? [])] });
  }
  const renderers = rendererPids();
  const cpu0 = totalCpuTimeMs(renderers);
  await publishPaced({ clients, topics, rate, durationMs: seconds * 1000, firstValue: 2 });
  const after = await metrics();
  console.log(`renderer CPU ${(((totalCpuTimeMs(renderers) - cpu0) / ((after.Timestamp - before.Timestamp) * 1000)) * 100).toFixed(1)} % of a core`);
  const wall = after.Timestamp - before.Timestamp;
  for (const key of ["TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration"]) {
    console.log(`${key}: ${(((after[key] - before[key]) / wall) * 100).toFixed(1)} % of ${wall.toFixed(1)} s`);
  }
  console.log(`WebSocket frames received: ${frames}`);
  console.log(`LayoutCount ${after.LayoutCount - before.LayoutCount}, RecalcStyleCount ${after.RecalcStyleCount - before.RecalcStyleCount}, Nodes ${after.Nodes}`);
  if (tracing) {
    const raw = (await browser.stopTracing()).toString();
    writeFileSync("/tmp/hearth-page.trace.json", raw);
    const trace = JSON.parse(raw) as { traceEvents: { name: string; ph: string; dur?: number; tid: number; pid: number; args?: { name?: string } }[] };
    const main = trace.traceEvents.find((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain");
    const byName = new Map<string, number>();
    for (const e of trace.traceEvents) {
      if (e.ph !== "X" || !main || e.tid !== main.tid || e.pid !== main.pid) continue;
      byName.set(e.name, (byName.get(e.name) ?? 0) + (e.dur ?? 0));
    }
    console.log("-- main thread trace events (total ms, nested events counted in each) --");
    for (const [name, us] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);
    const { profile } = (await cdp.send("Profiler.stop")) as unknown as { profile: Profile };
    writeFileSync("/tmp/hearth-page.cpuprofile", JSON.stringify(profile));
    console.log(summarizeProfile(profile, seconds));
  }
} finally {
  await closeAll(clients);
  await browser.close();
  await hub.stop();
}

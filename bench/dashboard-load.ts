// Section 3: the dashboard under load. 1,000 sensors publish once a second each
// into an open dashboard for 30 s; the page's main thread must stay mostly idle.
// Busy fraction and JS heap come from CDP's Performance metrics, long tasks from a
// PerformanceObserver, dropped frames from gaps between animation frames.
import type { CDPSession, Page } from "playwright-core";
import { openRig } from "./lib/dashboard-rig";
import { publishPaced } from "./lib/paced";
import { takeFrames, watchFrames } from "./lib/page-probes";
import type { Row } from "./lib/report";
import { rendererPids, totalCpuTimeMs } from "./lib/proc";
import { byMode, type Section, type SectionContext } from "./lib/section";
import { droppedFrames, summarize } from "./lib/stats";

const ROOMS = 100;
const MEASUREMENTS = ["temperature", "humidity", "pressure", "co2", "illuminance", "power", "energy", "battery", "voltage", "current"];
const TOPICS = Array.from({ length: ROOMS }, (_, r) => MEASUREMENTS.map((m) => `home/load-${String(r).padStart(3, "0")}/${m}`)).flat();
const BUSY_BUDGET = 0.2;
const LONG_TASK_MS = 50;

async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics } = await cdp.send("Performance.getMetrics");
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

/** JS heap in MB after a full collection, so what is left is what the page holds on to. */
async function heapMB(cdp: CDPSession): Promise<number> {
  await cdp.send("HeapProfiler.collectGarbage");
  return (await metrics(cdp)).JSHeapUsedSize / 1e6;
}

/**
 * The JavaScript `/` loaded, in kB: transferred (compressed) and as parsed. Read from
 * resource timing once the rows and their sparklines are on the page, so a chunk a
 * tile loads lazily counts too (issue 15: the chart library only where a chart is drawn).
 */
async function scriptKB(page: Page): Promise<{ transferred: number; decoded: number; files: number }> {
  // No named functions inside: tsx would wrap them in a helper the page does not have.
  return page.evaluate(() => {
    const scripts = (performance.getEntriesByType("resource") as PerformanceResourceTiming[]).filter(
      (e) => e.initiatorType === "script" || /\.js(\?|$)/.test(e.name),
    );
    return {
      transferred: scripts.reduce((n, e) => n + e.encodedBodySize, 0) / 1000,
      decoded: scripts.reduce((n, e) => n + e.decodedBodySize, 0) / 1000,
      files: scripts.length,
    };
  });
}

async function run(ctx: SectionContext) {
  const durationMs = byMode(ctx, { full: 30_000, quick: 8_000, tiny: 3_000 });
  const sensors = TOPICS.length;
  const rig = await openRig({ topics: TOPICS, prefix: "home/load-", tag: "load" });
  try {
    const { page, publishers: clients, mountSeconds } = rig;
    ctx.log(`  ${sensors} sensors on the page after ${mountSeconds.toFixed(1)} s`);

    const js = await scriptKB(page);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    const heapStart = await heapMB(cdp);
    await watchFrames(page);
    // The renderer's CPU time (all its threads), from /proc: unlike task durations it does
    // not grow when the machine is busy with something else.
    const renderers = rendererPids();
    const cpu0 = totalCpuTimeMs(renderers);
    const before = await metrics(cdp);
    // Each sensor once a second, spread evenly: 1,000 readings a second in all.
    await publishPaced({ clients, topics: TOPICS, rate: sensors, durationMs, firstValue: 2 });
    const after = await metrics(cdp);
    const rendererCpu = (totalCpuTimeMs(renderers) - cpu0) / ((after.Timestamp - before.Timestamp) * 1000);
    const { longTasks, frames } = await takeFrames(page);
    const heapEnd = await heapMB(cdp);

    const wall = after.Timestamp - before.Timestamp;
    const busy = (after.TaskDuration - before.TaskDuration) / wall;
    const script = (after.ScriptDuration - before.ScriptDuration) / wall;
    const layout = (after.LayoutDuration - before.LayoutDuration + after.RecalcStyleDuration - before.RecalcStyleDuration) / wall;
    const dropped = droppedFrames(frames);
    const expectedFrames = Math.round((wall * 1000) / (1000 / 60));
    const longest = longTasks.reduce((m, t) => Math.max(m, t.duration), 0);
    ctx.log(
      `  renderer CPU ${(rendererCpu * 100).toFixed(1)} % of a core; busy ${(busy * 100).toFixed(1)} % (script ${(script * 100).toFixed(1)} %, style+layout ${(layout * 100).toFixed(1)} %), ` +
        `${longTasks.length} long tasks (longest ${longest.toFixed(0)} ms), ${dropped}/${expectedFrames} frames dropped, heap ${heapStart.toFixed(1)} → ${heapEnd.toFixed(1)} MB`,
    );

    const section = `dashboard under load (${sensors} sensors at 1 Hz for ${durationMs / 1000} s, Chromium)`;
    const one = (x: number) => summarize([x]);
    const rows: Row[] = [
      {
        section,
        figure: "main thread busy",
        unit: "%",
        value: one(busy * 100),
        budget: { text: `< ${BUSY_BUDGET * 100} %`, met: busy < BUSY_BUDGET },
        note: `script ${(script * 100).toFixed(1)} %, style + layout ${(layout * 100).toFixed(1)} %`,
      },
      {
        section,
        figure: "renderer CPU (all threads, /proc)",
        unit: "%",
        value: one(rendererCpu * 100),
        note: "of one core; steadier than task durations on a shared machine",
      },
      {
        section,
        figure: `long tasks > ${LONG_TASK_MS} ms`,
        unit: "",
        value: one(longTasks.length),
        budget: { text: "none", met: longTasks.length === 0 },
        note: longTasks.length ? `longest ${longest.toFixed(0)} ms` : undefined,
      },
      { section, figure: "dropped frames", unit: "", value: one(dropped), note: `of ${expectedFrames} at 60 Hz` },
      { section, figure: "JS heap at start", unit: "MB", value: one(heapStart) },
      {
        section,
        figure: "JS heap at end",
        unit: "MB",
        value: one(heapEnd),
        note: "after a forced GC; the live store keeps up to an hour of points per topic by design",
      },
      { section, figure: `time until ${sensors} sensors are on the page`, unit: "s", value: one(mountSeconds) },
      {
        section,
        figure: "JS loaded by / (transferred)",
        unit: "kB",
        value: one(js.transferred),
        note: `${js.files} files, ${js.decoded.toFixed(0)} kB parsed`,
      },
    ];
    return { rows, raw: { js, sensors, durationMs, rendererCpu, busy, script, layout, longTasks, dropped, expectedFrames, heapStart, heapEnd, mountSeconds } };
  } finally {
    await rig.dispose();
  }
}

export const dashboardLoadSection: Section = { id: "dashboard", title: "Dashboard under load", run };

// Developer tool, not a bench section: what one chart open costs (issue 13, pixels with
// five chart browsers). A hub with a day of readings of twenty sensors; one signed-in
// Chromium opens a page and its 30-day chart, as bench/lib/chart-browsers.ts does, again
// and again; per open: the page's main-thread time by kind (CDP Performance.getMetrics),
// the renderer's and the hub's CPU, React commits, the history answers (bytes, points)
// and the chart's SVG elements.
//   node --import tsx bench/tools/chart-open.ts [reps=6] [path=/rooms/room-01]
import { writeFileSync } from "node:fs";
import { DAY_OF_READINGS, seedHistory } from "../../e2e/seed-history";
import { launchBrowser, openDashboard } from "../lib/browser";
import { cpuTimeMs, rendererPids, totalCpuTimeMs } from "../lib/proc";
import { startHub } from "../lib/servers";

const reps = Number(process.argv[2] ?? 6);
const pagePath = process.argv[3] ?? "/rooms/room-01";
const SETTLE_MS = 1000;

// Counts React commits in the page: React calls a devtools hook, when one is there, on each.
const COUNT_COMMITS = `
  window.__commits = 0;
  window.__REACT_DEVTOOLS_GLOBAL_HOOK__ = {
    supportsFiber: true, renderers: new Map(), inject(r) { const id = this.renderers.size + 1; this.renderers.set(id, r); return id; },
    onCommitFiberRoot() { window.__commits++; }, onCommitFiberUnmount() {}, onPostCommitFiberRoot() {}, onScheduleFiberRoot() {},
    checkDCE() {}, isDisabled: false,
  };`;

type TraceEvent = { name: string; ph: string; dur?: number; tdur?: number; tid: number; pid: number; args?: { name?: string; data?: { url?: string } } };

/** Main-thread time of the renderers by event name and by script, nested events counted in each. */
function summarizeTrace(raw: string): void {
  writeFileSync("/tmp/hearth-chart-open.trace.json", raw);
  const events = (JSON.parse(raw) as { traceEvents: TraceEvent[] }).traceEvents;
  const mains = new Set(events.filter((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain").map((e) => `${e.pid}:${e.tid}`));
  const byName = new Map<string, number>();
  const byUrl = new Map<string, number>();
  for (const e of events) {
    if (e.ph !== "X" || !mains.has(`${e.pid}:${e.tid}`)) continue;
    const us = e.tdur ?? e.dur ?? 0;
    byName.set(e.name, (byName.get(e.name) ?? 0) + us);
    const url = e.args?.data?.url;
    if (url && (e.name === "EvaluateScript" || e.name === "v8.compile" || e.name === "FunctionCall" || e.name === "v8.run")) {
      const key = `${e.name} ${url.split("/").pop()}`;
      byUrl.set(key, (byUrl.get(key) ?? 0) + us);
    }
  }
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`).join("\n");
  console.log(`-- renderer main threads (thread time), by event --\n${top(byName, 30)}\n-- by script --\n${top(byUrl, 20)}`);
}

const hub = await startHub({ prepare: (dir) => void seedHistory(dir, { ...DAY_OF_READINGS, end: Date.now() }) });
const browser = await launchBrowser();
try {
  const page = await openDashboard(browser, hub.httpUrl!, COUNT_COMMITS);
  const answers: { url: string; bytes: number; points: number[] }[] = [];
  page.on("response", async (r) => {
    if (!r.url().includes("/api/history/series")) return;
    const body = await r.body().catch(() => null);
    if (!body) return;
    const json = JSON.parse(body.toString()) as { series: { points: unknown[] }[] };
    answers.push({ url: new URL(r.url()).search, bytes: body.length, points: json.series.map((s) => s.points.length) });
  });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const metrics = async () => Object.fromEntries((await cdp.send("Performance.getMetrics")).metrics.map((m) => [m.name, m.value]));
  const url = new URL(pagePath, hub.httpUrl).href;
  const rows: Record<string, number>[] = [];
  for (let rep = 0; rep < reps; rep++) {
    answers.length = 0;
    const renderers = rendererPids();
    const before = await metrics();
    const cpu0 = totalCpuTimeMs(renderers);
    const hub0 = cpuTimeMs(hub.pid);
    const tracing = process.env.TRACE === "1" && rep === reps - 1;
    if (tracing) await browser.startTracing(page, { categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute", "blink", "loading"] });
    const t0 = performance.now();
    await page.goto(url);
    await page.locator('button[data-range="30d"]').first().click();
    const chart = page.locator('[data-testid=history-chart][data-range="30d"][data-state=ready]').first();
    await chart.locator(".recharts-line-curve").first().waitFor();
    const drawnMs = performance.now() - t0;
    await page.waitForTimeout(SETTLE_MS);
    if (tracing) summarizeTrace((await browser.stopTracing()).toString());
    const after = await metrics();
    // A navigation starts a new document, whose counters start at 0: its totals are this open's.
    const d = (k: string) => (after[k] < before[k] || rep > 0 ? after[k] : after[k] - before[k]) * 1000;
    const svg = await page.evaluate(() => ({
      svgElements: document.querySelectorAll("[data-testid=chart] svg *").length,
      commits: (window as unknown as { __commits: number }).__commits,
    }));
    rows.push({
      drawnMs,
      task: d("TaskDuration"),
      script: d("ScriptDuration"),
      layout: d("LayoutDuration"),
      style: d("RecalcStyleDuration"),
      rendererCpu: totalCpuTimeMs(rendererPids()) - cpu0,
      hubCpu: cpuTimeMs(hub.pid) - hub0,
      commits: svg.commits,
      svgElements: svg.svgElements,
      nodes: after.Nodes,
      bytes: answers.reduce((n, a) => n + a.bytes, 0),
    });
    console.log(`rep ${rep + 1}: ${Object.entries(rows.at(-1)!).map(([k, v]) => `${k} ${Math.round(v)}`).join(", ")}`);
    for (const a of answers) console.log(`   ${a.url}: ${a.bytes} B, points ${a.points.join("+")}`);
  }
  // A chart left open: what the page costs while nothing new arrives, on the month
  // (fixed) and on the day (live, sliding with the clock).
  const idleMs = Number(process.env.IDLE_MS ?? 15_000);
  for (const range of ["30d", "24h"]) {
    if (range !== "30d") {
      await page.locator(`button[data-range="${range}"]`).first().click();
      await page.locator(`[data-testid=history-chart][data-range="${range}"][data-state=ready] .recharts-line-curve`).first().waitFor();
    }
    await page.waitForTimeout(1000);
    const renderers = rendererPids();
    const cpu0 = totalCpuTimeMs(renderers);
    const c0 = await page.evaluate(() => (window as unknown as { __commits: number }).__commits);
    const m0 = await metrics();
    await page.waitForTimeout(idleMs);
    const m1 = await metrics();
    const c1 = await page.evaluate(() => (window as unknown as { __commits: number }).__commits);
    console.log(
      `idle ${range} chart, ${idleMs / 1000} s: renderer CPU ${Math.round(totalCpuTimeMs(renderers) - cpu0)} ms, React commits ${c1 - c0}, ` +
        `task ${Math.round((m1.TaskDuration - m0.TaskDuration) * 1000)} ms, script ${Math.round((m1.ScriptDuration - m0.ScriptDuration) * 1000)} ms, ` +
        `layout ${Math.round((m1.LayoutDuration - m0.LayoutDuration) * 1000)} ms, style ${Math.round((m1.RecalcStyleDuration - m0.RecalcStyleDuration) * 1000)} ms`,
    );
  }
  // The first open loads the code; the rest are what a browser that comes back pays.
  const warm = rows.slice(1);
  const median = (k: string) => {
    const v = warm.map((r) => r[k]).sort((a, b) => a - b);
    return v[Math.floor(v.length / 2)];
  };
  console.log(`median of reps 2..${reps} (settle ${SETTLE_MS} ms included): ${Object.keys(rows[0]).map((k) => `${k} ${Math.round(median(k))}`).join(", ")}`);
} finally {
  await browser.close();
  await hub.stop();
}

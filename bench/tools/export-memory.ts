// Where the hub's memory goes during a day's raw export (issue 13's < 50 MB budget):
// the stall section's hub (24 h × 20 sensors), then one scenario at a time — the export
// alone, one chart reader alone, three at once, the export and three chart readers —
// with RssAnon / RssFile sampled every 50 ms and each chart's time.
//   node --import tsx bench/tools/export-memory.ts [export|chart1|charts|both ...]
// HUB_ENV='K=V K2=V2' passes settings to the hub (e.g. NODE_OPTIONS for V8 flags).
// THREADS=1 also samples each thread's V8 heap (bench/lib/thread-heaps.ts) and prints
// its peak heapTotal / external beside the RSS, to tell the broker's share from the web's,
// and the web heap's spaces at its peak. HUB_OUTPUT=<file> saves the hub's output's tail (e.g. --trace-gc).
import { readFileSync } from "node:fs";
import path from "node:path";
import { DAY_OF_READINGS, seedHistory } from "../../e2e/seed-history";
import { openSqliteAccountStore } from "../../lib/auth/sqlite-account-store";
import { SESSION_COOKIE } from "../../lib/auth/session-cookie";
import { BENCH_ADMIN, startHub } from "../lib/servers";
import { attachThreads, heapLine, type HeapUsage, type ThreadHeaps } from "../lib/thread-heaps";

const DAY_MS = 86_400_000;
const scenarios = process.argv.slice(2).length ? process.argv.slice(2) : ["export", "charts", "both"];
const env = Object.fromEntries((process.env.HUB_ENV ?? "").split(/\s+(?=\w+=)/).filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function mem(pid: number): { anon: number; file: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN) / 1024;
  return { anon: kb("RssAnon"), file: kb("RssFile") + kb("RssShmem"), rss: kb("VmRSS") };
}

async function drain(url: string, cookie: string): Promise<number> {
  const response = await fetch(url, { headers: { cookie } });
  let bytes = 0;
  const reader = response.body!.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.length;
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return bytes;
}

const end = Date.now();
let cookie = "";
const withThreads = process.env.THREADS === "1";
const hub = await startHub({
  env,
  nodeArgs: withThreads ? ["--inspect=127.0.0.1:0"] : [],
  prepare: async (dir) => {
    seedHistory(dir, { ...DAY_OF_READINGS, end });
    const accounts = openSqliteAccountStore(path.join(dir, "accounts.sqlite"));
    await accounts.createUser(BENCH_ADMIN.username, BENCH_ADMIN.password, "admin");
    cookie = `${SESSION_COOKIE}=${(await accounts.createSession(BENCH_ADMIN.username, DAY_MS)).token}`;
    await accounts.close();
  },
});
try {
  const base = hub.httpUrl!;
  const day = `${base}/api/history/raw?topic=${encodeURIComponent("home/#")}&from=${end - DAY_MS}&to=${end}`;
  const month = `${base}/api/history/series?topic=${encodeURIComponent("home/+/temperature")}&from=${end - 30 * DAY_MS}&to=${end}&points=1000`;
  await drain(`${base}/login`, "");
  // Every route once, so the idle figure includes their code (as a person's first visit would).
  await drain(month, cookie);
  await drain(day.replace("home%2F%23", "home%2Fnone"), cookie);
  await sleep(3000);
  const threads: ThreadHeaps | null = withThreads ? await attachThreads(hub) : null;
  for (const scenario of scenarios) {
    const idle = mem(hub.pid);
    let peak = idle;
    const sampler = setInterval(() => {
      const m = mem(hub.pid);
      if (m.rss > peak.rss) peak = m;
    }, 50);
    // Each thread's largest heapTotal and external (MB) while the scenario runs.
    const heapPeak = { broker: { total: 0, external: 0 }, web: { total: 0, external: 0 } };
    const note = (into: { total: number; external: number }, u: HeapUsage) => {
      into.total = Math.max(into.total, u.mu.heapTotal / 1e6);
      into.external = Math.max(into.external, u.mu.external / 1e6);
    };
    let running = true;
    let webAtPeak: HeapUsage | null = null;
    const heapSampler = (async () => {
      while (threads && running) {
        note(heapPeak.broker, await threads.broker());
        const w = await threads.web();
        if (w.mu.heapTotal / 1e6 > heapPeak.web.total) webAtPeak = w;
        note(heapPeak.web, w);
        await sleep(200);
      }
    })();
    const chartMs: number[] = [];
    const charts = async () => {
      let n = 0;
      for (; running && n < (scenario.startsWith("chart") ? 60 : Infinity); n++) {
        const c0 = performance.now();
        await drain(month, cookie);
        chartMs.push(performance.now() - c0);
      }
      return n;
    };
    const t0 = performance.now();
    const jobs: Promise<number>[] = [];
    if (scenario === "export" || scenario === "both") jobs.push(drain(day, cookie).finally(() => (running = false)));
    if (scenario === "chart1") jobs.push(charts());
    else if (scenario !== "export") jobs.push(charts(), charts(), charts());
    const done = await Promise.all(jobs);
    running = false;
    await heapSampler;
    clearInterval(sampler);
    await sleep(2000);
    const after = mem(hub.pid);
    const f = (x: number) => x.toFixed(0);
    chartMs.sort((a, b) => a - b);
    const at = (q: number) => chartMs[Math.min(chartMs.length - 1, Math.floor(q * chartMs.length))]?.toFixed(0);
    if (chartMs.length) console.log(`  charts: ${chartMs.length}, p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${at(1)} ms`);
    console.log(
      `${scenario}: ${((performance.now() - t0) / 1000).toFixed(1)} s (${done.join(", ")}); idle rss ${f(idle.rss)} (anon ${f(idle.anon)}, file ${f(idle.file)}); ` +
        `peak +${f(peak.rss - idle.rss)} (anon +${f(peak.anon - idle.anon)}, file +${f(peak.file - idle.file)}); 2 s after +${f(after.rss - idle.rss)}`,
    );
    if (threads) {
      const t = (x: { total: number; external: number }) => `heapTotal ${f(x.total)}, external ${f(x.external)}`;
      console.log(`  peak heaps (MB): broker thread ${t(heapPeak.broker)}; web thread ${t(heapPeak.web)}`);
      if (webAtPeak) console.log(`  web thread at its peak: ${heapLine(webAtPeak)}`);
    }
  }
  threads?.close();
} finally {
  await hub.stop();
  if (process.env.HUB_OUTPUT) (await import("node:fs")).writeFileSync(process.env.HUB_OUTPUT, hub.output());
}

// Section: does the broker wait for the web? (issue 13). The real hub with a day of
// readings from 20 sensors (1.7 M rows, seeded into its data directory before it
// starts). An MQTT client bounces a message off the hub 50 times a second and times
// each round trip (lib/rtt-probe.ts): first with nothing else going on, then while a
// signed-in client downloads the raw CSV of home/# for those 24 hours and three others
// read 30-day charts of all 20 sensors over and over until the export ends. Also the
// hub's RSS during the export, above what it was idle. The export's client is curl, a
// process of its own as a person's browser would be, so reading 86 MB does not hold up
// the probe's own event loop; the broker thread's event-loop delay, read through the
// inspector, tells a stall of the hub's thread from one anywhere else.
import { execFile } from "node:child_process";
import path from "node:path";
import { DAY_OF_READINGS, seedHistory } from "../e2e/seed-history";
import { openSqliteAccountStore } from "../lib/auth/sqlite-account-store";
import { SESSION_COOKIE } from "../lib/auth/session-cookie";
import { brokerLoopDelay, connectInspector } from "./lib/inspector";
import { cpuTimeMs, rssMB, threadCpuTimeMs } from "./lib/proc";
import type { Row } from "./lib/report";
import { startProbe } from "./lib/rtt-probe";
import { byMode, type Section } from "./lib/section";
import { BENCH_ADMIN, startHub } from "./lib/servers";
import { latencySummary, summarize } from "./lib/stats";

const DAY_MS = 86_400_000;
const P99_BUDGET_MS = 20;
const EXPORT_MEMORY_BUDGET_MB = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A signed-in admin's session cookie, made in the data directory before the hub starts. */
export async function seedSession(dataDir: string): Promise<string> {
  const accounts = openSqliteAccountStore(path.join(dataDir, "accounts.sqlite"));
  try {
    await accounts.createUser(BENCH_ADMIN.username, BENCH_ADMIN.password, "admin");
    return `${SESSION_COOKIE}=${(await accounts.createSession(BENCH_ADMIN.username, DAY_MS)).token}`;
  } finally {
    await accounts.close();
  }
}

/** Downloads `url` with curl to nowhere, as a browser saving the file would; its size and time. */
function download(url: string, cookie: string): Promise<{ status: number; bytes: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const args = ["-s", "-o", "/dev/null", "--max-time", "300", "-H", `cookie: ${cookie}`, "-w", "%{http_code} %{size_download} %{time_total}", url];
    execFile("curl", args, (error, stdout) => {
      if (error) return reject(error);
      const [status, bytes, seconds] = stdout.trim().split(" ").map(Number);
      resolve({ status, bytes, ms: seconds * 1000 });
    });
  });
}

/** Reads a body to its end as it streams; returns its size and how long the whole answer took. */
async function get(url: string, cookie: string): Promise<{ status: number; bytes: number; ms: number }> {
  const t0 = performance.now();
  const response = await fetch(url, { headers: { cookie } });
  let bytes = 0;
  const reader = response.body!.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.length;
  return { status: response.status, bytes, ms: performance.now() - t0 };
}

export const stallSection: Section = {
  id: "stall",
  title: "Stall: MQTT round trips while history is read (24 h × 20 sensors)",
  async run(ctx) {
    const idleMs = byMode(ctx, { full: 10_000, quick: 5_000, tiny: 2_000 });
    const end = Date.now();
    let cookie = "";
    const hub = await startHub({
      nodeArgs: ["--inspect=127.0.0.1:0"],
      prepare: async (dir) => {
        const t0 = performance.now();
        const { rows } = seedHistory(dir, { ...DAY_OF_READINGS, end });
        ctx.log(`  seeded ${rows} readings in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        cookie = await seedSession(dir);
      },
    });
    try {
      const base = hub.httpUrl!;
      await get(`${base}/login`, ""); // the dashboard served once, as memory.ts's idle
      const probe = await startProbe(hub.mqttUrl, { rate: 50 });
      await sleep(idleMs);
      const idleRss = rssMB(hub.pid);
      const inspector = await connectInspector(hub);
      const loopDelay = await brokerLoopDelay(inspector);
      const loadFrom = probe.mark();
      const cpuFrom = { hub: cpuTimeMs(hub.pid), broker: threadCpuTimeMs(hub.pid, hub.pid) };

      let exporting = true;
      let peakRss = idleRss;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMB(hub.pid))), 100);
      const day = `from=${end - DAY_MS}&to=${end}`;
      const month = `from=${end - 30 * DAY_MS}&to=${end}&points=1000`;
      const chartMs: number[] = [];
      const chartReader = async () => {
        while (exporting) {
          const r = await get(`${base}/api/history/series?topic=${encodeURIComponent("home/+/temperature")}&${month}`, cookie);
          if (r.status !== 200) throw new Error(`30-day chart answered ${r.status}`);
          chartMs.push(r.ms);
        }
      };
      // A fifth person opens a page (the login page: a render of the web thread that reads no
      // history) five times a second: how long a render waits behind the reads (issue 13, item 9).
      const pageMs: number[] = [];
      const pageReader = async () => {
        while (exporting) {
          const r = await get(`${base}/login`, "");
          if (r.status !== 200) throw new Error(`the login page answered ${r.status}`);
          pageMs.push(r.ms);
          await sleep(200);
        }
      };
      const exported = download(`${base}/api/history/raw?topic=${encodeURIComponent("home/#")}&${day}`, cookie).finally(() => (exporting = false));
      const [raw] = await Promise.all([exported, chartReader(), chartReader(), chartReader(), pageReader()]);
      clearInterval(sampler);
      const cpu = { hub: cpuTimeMs(hub.pid) - cpuFrom.hub, broker: threadCpuTimeMs(hub.pid, hub.pid) - cpuFrom.broker };
      const brokerDelay = await loopDelay.stop();
      inspector.close();
      if (raw.status !== 200) throw new Error(`raw export answered ${raw.status}`);
      const loadTo = probe.mark();
      const result = await probe.stop();

      const rtt = (from: number, to: number) => result.rtts.slice(from, to).filter((x) => !Number.isNaN(x));
      const idle = latencySummary(rtt(0, loadFrom));
      const load = latencySummary(rtt(loadFrom, loadTo));
      const section = stallSection.title;
      const one = (x: number) => summarize([Math.round(x * 10) / 10]);
      const rows: Row[] = [];
      for (const key of ["p50", "p99", "max"] as const) rows.push({ section, figure: `round trip idle ${key}`, unit: "ms", value: one(idle[key]) });
      for (const key of ["p50", "p99", "max"] as const) {
        const budget = Math.min(P99_BUDGET_MS, 3 * idle.p99);
        rows.push({
          section,
          figure: `round trip under reads ${key}`,
          unit: "ms",
          value: one(load[key]),
          budget: key === "p99" ? { text: `< ${P99_BUDGET_MS} ms, ≤ 3 × idle`, met: load.p99 < budget } : undefined,
        });
      }
      for (const key of ["p99", "max"] as const) {
        rows.push({ section, figure: `broker thread event-loop delay under reads ${key}`, unit: "ms", value: one(brokerDelay[key]) });
      }
      // What the broker's thread spends on the web's traffic (the proxy's piping): its CPU
      // during the reads, beside the whole hub's; the probe's own share is ~50 round trips/s.
      rows.push({ section, figure: "broker thread CPU during the reads", unit: "ms", value: one(cpu.broker), note: `hub (all threads) ${Math.round(cpu.hub)} ms` });
      rows.push({ section, figure: "probe messages lost", unit: "", value: summarize([result.sent - result.received]), note: `of ${result.sent}, 50/s` });
      rows.push({
        section,
        figure: "raw export (home/#, 24 h)",
        unit: "s",
        value: one(raw.ms / 1000),
        note: `${(raw.bytes / 1e6).toFixed(0)} MB of CSV, downloaded by curl as it streamed`,
      });
      const charts = latencySummary(chartMs);
      rows.push({ section, figure: "30-day chart of 20 sensors during the export p50", unit: "ms", value: one(charts.p50), note: `${chartMs.length} charts, p95 ${Math.round(charts.p95)}, max ${Math.round(charts.max)} ms` });
      const pages = latencySummary(pageMs);
      rows.push({ section, figure: "page render during the export p50", unit: "ms", value: one(pages.p50), note: `${pageMs.length} renders of /login, p95 ${Math.round(pages.p95)}, max ${Math.round(pages.max)} ms` });
      rows.push({
        section,
        figure: "hub RSS above idle during the export",
        unit: "MB",
        value: one(peakRss - idleRss),
        budget: { text: `< ${EXPORT_MEMORY_BUDGET_MB} MB`, met: peakRss - idleRss < EXPORT_MEMORY_BUDGET_MB },
        note: `idle ${Math.round(idleRss)} MB, sampled every 100 ms`,
      });
      return { rows, raw: { idle, load, brokerDelay, charts, pages, sent: result.sent, received: result.received, exportBytes: raw.bytes, exportMs: raw.ms, idleRss, peakRss, cpu } };
    } finally {
      await hub.stop();
    }
  },
};

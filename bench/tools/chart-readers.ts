// Do people reading history at once queue behind each other? (issue 13). The stall
// section's hub (24 h × 20 sensors), then N signed-in readers at once, each reading the
// 30-day chart of all 20 sensors `PER_READER` times: each chart's latency, charts per
// second, and the hub's CPU per chart. Readers that queue on one thread show latency
// growing with N at flat charts/s; readers that run side by side keep latency flat.
//   node --import tsx bench/tools/chart-readers.ts [N ...]      (default 1 3 5)
import { DAY_OF_READINGS, seedHistory } from "../../e2e/seed-history";
import { cpuTimeMs, threadCpuTimeMs } from "../lib/proc";
import { startHub } from "../lib/servers";
import { seedSession } from "../stall";
import { latencySummary } from "../lib/stats";

const DAY_MS = 86_400_000;
const PER_READER = 12;
const counts = process.argv.slice(2).map(Number).filter((n) => n > 0);

async function drain(url: string, cookie: string): Promise<void> {
  const response = await fetch(url, { headers: { cookie } });
  const reader = response.body!.getReader();
  while (!(await reader.read()).done);
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
}

const end = Date.now();
let cookie = "";
const hub = await startHub({
  prepare: async (dir) => {
    seedHistory(dir, { ...DAY_OF_READINGS, end });
    cookie = await seedSession(dir);
  },
});
try {
  const month = `${hub.httpUrl}/api/history/series?topic=${encodeURIComponent("home/+/temperature")}&from=${end - 30 * DAY_MS}&to=${end}&points=1000`;
  for (let i = 0; i < 5; i++) await drain(month, cookie); // the route's code and SQLite's pages warm
  for (const n of counts.length ? counts : [1, 3, 5]) {
    const ms: number[] = [];
    const cpu0 = cpuTimeMs(hub.pid);
    const broker0 = threadCpuTimeMs(hub.pid, hub.pid);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: n }, async () => {
        for (let i = 0; i < PER_READER; i++) {
          const c0 = performance.now();
          await drain(month, cookie);
          ms.push(performance.now() - c0);
        }
      }),
    );
    const wall = performance.now() - t0;
    const s = latencySummary(ms);
    const perChart = (cpuTimeMs(hub.pid) - cpu0) / ms.length;
    const brokerPerChart = (threadCpuTimeMs(hub.pid, hub.pid) - broker0) / ms.length;
    console.log(
      `${n} reader(s): ${ms.length} charts in ${(wall / 1000).toFixed(2)} s = ${((ms.length * 1000) / wall).toFixed(1)}/s; ` +
        `latency p50 ${s.p50.toFixed(0)} / p95 ${s.p95.toFixed(0)} / max ${s.max.toFixed(0)} ms; hub CPU ${perChart.toFixed(1)} ms/chart (broker thread ${brokerPerChart.toFixed(2)})`,
    );
  }
} finally {
  await hub.stop();
}

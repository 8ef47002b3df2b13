// Where the time goes while the pixels section measures (issue 13, fourth pass): the
// hub's CPU per thread, its write system calls, the broker thread's event-loop delay,
// and the CPU of every Chromium process by niceness (the measured page's at 0, the
// chart browsers' at 19). Diagnostics only: BENCH_PIXELS_SPLIT=1 logs them per rep.
import { readdirSync, readFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { brokerLoopDelay, type Inspector } from "./inspector";
import { parseStat } from "./proc";

const TICK_MS = 10; // USER_HZ 100 (proc.ts asks getconf; every Linux seen says 100)

type ThreadCpu = Map<string, number>;

/** CPU ms of each of `pid`'s threads, keyed "tid comm". */
function threads(pid: number): ThreadCpu {
  const out: ThreadCpu = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const { utime, stime } = parseStat(stat);
      out.set(`${tid} ${comm}`, (utime + stime) * TICK_MS);
    } catch {
      // the thread ended
    }
  }
  return out;
}

/** write(2)/writev(2) calls and bytes the process made so far (/proc/<pid>/io). */
function io(pid: number): { syscw: number; wchar: number } {
  const text = readFileSync(`/proc/${pid}/io`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)`, "m").exec(text)?.[1] ?? NaN);
  return { syscw: field("syscw"), wchar: field("wchar") };
}

/** CPU ms of every Chromium process on the machine, summed by niceness. */
function chromiumByNice(): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      if (!/chrom/i.test(comm)) continue;
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const nice = Number(rest[16]); // field 19
      const { utime, stime } = parseStat(stat);
      out.set(nice, (out.get(nice) ?? 0) + (utime + stime) * TICK_MS);
    } catch {
      // the process ended
    }
  }
  return out;
}

export type Split = { line: string; raw: Record<string, unknown> };

/** Starts counting now; `stop()` gives the split since. */
export async function startSplit(pid: number, inspector: Inspector | null) {
  const t0 = performance.now();
  const threads0 = threads(pid);
  const io0 = io(pid);
  const chromium0 = chromiumByNice();
  const loop = inspector ? await brokerLoopDelay(inspector) : null;
  // The bench's own loop (publishers and the TCP subscriber): its delay is in "the hub's part" too.
  const own = monitorEventLoopDelay({ resolution: 1 });
  own.enable();
  const elu0 = inspector ? await inspector.evaluateJson<object>(`JSON.stringify(performance.eventLoopUtilization())`) : null;
  return {
    async stop(): Promise<Split> {
      const wallMs = performance.now() - t0;
      own.disable();
      const bench = { p99: own.percentile(99) / 1e6, max: own.max / 1e6 };
      const delay = loop ? await loop.stop() : null;
      const elu = inspector
        ? await inspector.evaluateJson<{ utilization: number }>(`JSON.stringify(performance.eventLoopUtilization(${JSON.stringify(elu0)}))`)
        : null;
      const perThread = [...threads(pid)]
        .map(([key, ms]) => ({ key, ms: ms - (threads0.get(key) ?? 0) }))
        .filter((t) => t.ms > 0)
        .sort((a, b) => b.ms - a.ms);
      const io1 = io(pid);
      const chromium1 = chromiumByNice();
      const chromium = [...chromium1].map(([nice, ms]) => ({ nice, ms: ms - (chromium0.get(nice) ?? 0) }));
      const pct = (ms: number) => `${((ms / wallMs) * 100).toFixed(0)} %`;
      const line =
        `hub threads ${perThread.slice(0, 5).map((t) => `[${t.key}] ${pct(t.ms)}`).join(", ")}; ` +
        `writes ${((io1.syscw - io0.syscw) / (wallMs / 1000)).toFixed(0)}/s, ${((io1.wchar - io0.wchar) / 1e6 / (wallMs / 1000)).toFixed(1)} MB/s; ` +
        (delay ? `broker loop delay p50 ${delay.p50.toFixed(1)} p99 ${delay.p99.toFixed(1)} max ${delay.max.toFixed(0)} ms, ELU ${((elu?.utilization ?? NaN) * 100).toFixed(0)} %; ` : "") +
        `bench process loop delay p99 ${bench.p99.toFixed(1)} max ${bench.max.toFixed(0)} ms; ` +
        `chromium ${chromium.map((c) => `nice ${c.nice} ${pct(c.ms)}`).join(", ")} of a core`;
      return { line, raw: { wallMs, perThread, syscwPerS: (io1.syscw - io0.syscw) / (wallMs / 1000), delay, elu, bench, chromium } };
    },
  };
}

// Who had the cores and who waited for one while the pixels section measured (issue 13, P4):
// /proc/<pid>/task/<tid>/schedstat gives each thread's time on a CPU and its time runnable
// but waiting for one (ns), so "the broker thread was slow" splits into "it worked" and "it
// queued behind something". Threads are read with their nice value and scheduling policy,
// so the run itself shows the web thread at nice 10 and the chart browsers under SCHED_IDLE.
// Diagnostics only (BENCH_PIXELS_SPLIT=1).
import { readdirSync, readFileSync } from "node:fs";

const TICK_MS = 10; // USER_HZ 100, as hub-split.ts
const SCHED_IDLE = 5;

type Thread = { pid: number; tid: number; comm: string; nice: number; policy: number; runMs: number; waitMs: number };

function statFields(text: string): string[] {
  return text.slice(text.lastIndexOf(")") + 2).split(" ");
}

function readThread(pid: number, tid: number): Thread | null {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ").map(Number);
    const rest = statFields(stat);
    // rest[0] is field 3: nice is field 19, policy field 41.
    return { pid, tid, comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), nice: Number(rest[16]), policy: Number(rest[38]), runMs: run / 1e6, waitMs: wait / 1e6 };
  } catch {
    return null; // it ended
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

/** Every thread on the machine, keyed "pid/tid". */
function allThreads(): Map<string, Thread & { cmd: string }> {
  const out = new Map<string, Thread & { cmd: string }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const cmd = cmdline(pid);
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const t = readThread(pid, Number(tid));
      if (t) out.set(`${pid}/${tid}`, { ...t, cmd });
    }
  }
  return out;
}

/** Busy jiffies of the whole machine (all CPUs), /proc/stat's first line. */
function machineBusyMs(): number {
  const [, ...f] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/);
  const n = f.map(Number); // user nice system idle iowait irq softirq steal
  return (n[0] + n[1] + n[2] + n[5] + n[6] + n[7]) * TICK_MS;
}

export type Group = "hub broker thread" | "hub web thread" | "hub other threads" | "measured page renderer main" | "measured page compositor" | "measured Chromium other" | "chart Chromium (SCHED_IDLE)" | "bench process" | "everything else" | (string & {});

/**
 * `hubPid`'s main thread is the broker's; its web thread is the one at the web thread's nice
 * (the only thread the hub niced). The measured page's renderer is the non-idle Chromium
 * renderer that ran most. `named`: other processes of the bench's own with a group each
 * (e.g. the replayed chart openers), by pid.
 */
export function startCpuWait(hubPid: number, named: Record<string, number> = {}) {
  const byPid = new Map(Object.entries(named).map(([group, pid]) => [pid, group]));
  const t0 = performance.now();
  const busy0 = machineBusyMs();
  const before = allThreads();
  return {
    stop() {
      const wallMs = performance.now() - t0;
      const busy = machineBusyMs() - busy0;
      const after = allThreads();
      const delta = [...after].map(([key, t]) => {
        const b = before.get(key);
        return { ...t, runMs: t.runMs - (b?.runMs ?? 0), waitMs: t.waitMs - (b?.waitMs ?? 0), slices: 0 };
      });
      const hubMainNice = delta.find((t) => t.tid === hubPid)?.nice ?? 0;
      const isChromium = (t: (typeof delta)[number]) => /chrom/i.test(t.cmd.split(" ")[0]) || t.cmd.includes("--type=");
      const renderers = new Map<number, number>();
      for (const t of delta) if (isChromium(t) && t.policy !== SCHED_IDLE && t.cmd.includes("--type=renderer")) renderers.set(t.pid, (renderers.get(t.pid) ?? 0) + t.runMs);
      const measured = [...renderers].sort((a, b) => b[1] - a[1])[0]?.[0];
      const groupOf = (t: (typeof delta)[number]): Group => {
        if (t.pid === hubPid) return t.tid === hubPid ? "hub broker thread" : t.nice > hubMainNice || t.policy === SCHED_IDLE ? "hub web thread" : "hub other threads";
        if (t.pid === process.pid) return "bench process";
        const name = byPid.get(t.pid);
        if (name !== undefined) return `${name}${t.policy === SCHED_IDLE ? " (SCHED_IDLE)" : ""}`;
        if (isChromium(t)) {
          if (t.policy === SCHED_IDLE) return "chart Chromium (SCHED_IDLE)";
          if (t.pid === measured && t.tid === measured) return "measured page renderer main";
          if (t.pid === measured && /Compositor/.test(t.comm)) return "measured page compositor";
          return "measured Chromium other";
        }
        return "everything else";
      };
      const groups = new Map<Group, { runMs: number; waitMs: number; nice: Set<number>; idle: boolean }>();
      for (const t of delta) {
        const g = groupOf(t);
        const v = groups.get(g) ?? { runMs: 0, waitMs: 0, nice: new Set<number>(), idle: false };
        v.runMs += t.runMs;
        v.waitMs += t.waitMs;
        if (t.runMs > 1) v.nice.add(t.nice);
        if (t.runMs > 1 && t.policy === SCHED_IDLE) v.idle = true;
        groups.set(g, v);
      }
      const rows = [...groups].map(([group, v]) => ({
        group,
        cpuPct: (v.runMs / wallMs) * 100,
        waitPct: (v.waitMs / wallMs) * 100,
        nice: [...v.nice].sort((a, b) => a - b),
        schedIdle: v.idle,
      }));
      const pct = (x: number) => x.toFixed(0);
      const line =
        `machine busy ${pct((busy / wallMs) * 100)} % of 200; ` +
        rows
          .sort((a, b) => b.cpuPct - a.cpuPct)
          .map((r) => `${r.group} ${pct(r.cpuPct)} % cpu / ${pct(r.waitPct)} % waiting (nice ${r.nice.join(",")}${r.schedIdle ? ", SCHED_IDLE" : ""})`)
          .join("; ");
      return { line, raw: { wallMs, machineBusyPct: (busy / wallMs) * 100, rows } };
    },
  };
}

// A process's CPU time and memory from /proc (Linux). CPU time is what the bench
// compares brokers by: it counts only the broker's own work, so it stays steady on a
// machine shared with builds, where wall-clock rates swing with the neighbours.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let ticksPerSecond: number | null = null;

/** USER_HZ, the unit of utime/stime; 100 on every Linux seen, asked once to be sure. */
function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/**
 * Fields of /proc/<pid>/stat after the command name, which is in parentheses and may
 * itself hold spaces or parentheses: split after the last ")".
 */
export function parseStat(text: string): { utime: number; stime: number } {
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  return { utime: Number(rest[11]), stime: Number(rest[12]) };
}

/** CPU time (user + system, all threads) the process has used so far, in milliseconds. */
export function cpuTimeMs(pid: number): number {
  const { utime, stime } = parseStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  return ((utime + stime) * 1000) / clockTicks();
}

/**
 * CPU time of one thread of the process so far, in ms: /proc/<pid>/task/<tid>/stat. The
 * main thread's id is the process's, so `threadCpuTimeMs(pid, pid)` is the hub's broker
 * thread alone, without the web thread beside it.
 */
export function threadCpuTimeMs(pid: number, tid: number): number {
  const { utime, stime } = parseStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8"));
  return ((utime + stime) * 1000) / clockTicks();
}

/** A `kB` line of /proc/<pid>/status (VmRSS, VmHWM, …) in MB (10⁶ bytes; the kernel's kB are KiB). */
export function parseStatusKb(text: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  if (!match) throw new Error(`no ${field} in /proc status`);
  return (Number(match[1]) * 1024) / 1e6;
}

/** Resident memory now, in MB. */
export function rssMB(pid: number): number {
  return parseStatusKb(readFileSync(`/proc/${pid}/status`, "utf8"), "VmRSS");
}

/** The highest resident memory the process has had, in MB. */
export function peakRssMB(pid: number): number {
  return parseStatusKb(readFileSync(`/proc/${pid}/status`, "utf8"), "VmHWM");
}

/** The cores this process may run on, from its affinity mask. */
export function onlineCores(): number {
  try {
    return Number(execFileSync("nproc", { encoding: "utf8" }).trim()) || 1;
  } catch {
    return 1;
  }
}

/** Pins a running process, every thread of it, to cores ("1", "0-1"); false where taskset is missing. */
export function pin(pid: number, cores: string): boolean {
  try {
    execFileSync("taskset", ["-a", "-p", "-c", cores, String(pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The processes descended from `root` (children, grandchildren, …), from /proc. */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      let list = children.get(ppid);
      if (!list) children.set(ppid, (list = []));
      list.push(Number(name));
    } catch {
      // gone between the listing and the read
    }
  }
  const out: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Chromium's renderer processes started by this process: where a page's main thread runs. */
export function rendererPids(): number[] {
  return descendants(process.pid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("--type=renderer");
    } catch {
      return false;
    }
  });
}

/** CPU time of several processes together, in ms; a process that has gone counts 0. */
export function totalCpuTimeMs(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      total += cpuTimeMs(pid);
    } catch {
      // exited
    }
  }
  return total;
}

/** The scheduler's account of one thread so far, in ms: time on a core, and time runnable but waiting for one. */
export type SchedMs = { runMs: number; waitMs: number };

/** `/proc/.../schedstat`: "<ns on a cpu> <ns waiting on a runqueue> <timeslices>". */
export function parseSchedstat(text: string): SchedMs {
  const [run, wait] = text.trim().split(" ").map(Number);
  return { runMs: run / 1e6, waitMs: wait / 1e6 };
}

/**
 * One thread's schedstat (`tid` = `pid`: the main thread, the hub's broker thread), or
 * every thread's of the process summed (`tid` omitted). Waiting for a core is what a
 * shared machine adds: a thread neither running nor waiting is idle (blocked on I/O, a
 * timer, or nothing to do), which tells a broker that is slow from one that is starved.
 */
export function schedMs(pid: number, tid?: number): SchedMs {
  if (tid !== undefined) return parseSchedstat(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8"));
  const total = { runMs: 0, waitMs: 0 };
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const s = parseSchedstat(readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8"));
      total.runMs += s.runMs;
      total.waitMs += s.waitMs;
    } catch {
      // the thread ended
    }
  }
  return total;
}

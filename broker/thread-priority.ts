// The web thread gives way to the broker's thread for the machine's cores (issue 13: the
// broker never waits for the web). During a day's export and three chart readers the
// broker's thread is idle ~88 % of the time (bench/README.md, "Issue 13, fourth pass"):
// what delays a reading's round trip is that thread waiting for a core the web thread,
// SQLite and the browsers hold. On Linux a nice value and a scheduling policy are a thread's
// own (setpriority(2) BUGS: "the nice value is a per-thread attribute"; sched_setscheduler(2)
// takes a thread id), so the web thread lowers its own without touching the broker's.
//
// Nice 10 alone still competes: the scheduler weighs it 110 against the broker's 1024 and
// lets it finish its slice when the broker's thread wakes (bench/README.md, "ninth pass":
// the broker waited 2.5-3x longer for a core while the web thread served five people).
// SCHED_IDLE is preempted as soon as a normal thread wakes on its core (kernel/sched/fair.c,
// check_preempt_wakeup_fair: "Idle tasks are by definition preempted by non-idle tasks"),
// and a waking thread is placed on a core that runs only idle tasks as on an idle one.
// Any thread may move itself to SCHED_IDLE without privilege (sched(7), since Linux 2.6.39).
// Node has no call for it, so util-linux's chrt (on every Debian, "required" priority) sets
// it on this thread's id; nice 10 is set first and stays where chrt cannot run.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, readlinkSync } from "node:fs";
import { getPriority, setPriority } from "node:os";
import type { WebPriority } from "../lib/config-schema";

/** The web thread's nice value: the kernel gives a nice-0 thread ~10× its share of a contended core. */
export const WEB_THREAD_NICE = 10;

/** sched(7)'s policy numbers, as /proc/<pid>/task/<tid>/stat's field 41 shows them. */
export const SCHED_OTHER = 0;
export const SCHED_IDLE = 5;

/** This thread's kernel id ("/proc/thread-self" → "<pid>/task/<tid>"); null where there is no such link. */
export function ownThreadId(): number | null {
  try {
    const match = /\/task\/(\d+)$/.exec(readlinkSync("/proc/thread-self"));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** A thread's nice value and scheduling policy (fields 19 and 41 of its stat line); null when it has ended. */
export function threadScheduling(tid: number, pid: number | "self" = "self"): { nice: number; policy: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { nice: Number(rest[16]), policy: Number(rest[38]) };
  } catch {
    return null;
  }
}

/**
 * Lowers this thread's CPU priority to `nice`, never raising it: a thread already below (a hub
 * started with `nice -n 19`, as npm test runs the unit tests) keeps its own, which root could
 * otherwise raise. Says why not when it cannot (another OS, a sandbox).
 */
export function lowerOwnPriority(nice: number): { ok: true } | { ok: false; reason: string } {
  const tid = ownThreadId();
  if (tid === null) return { ok: false, reason: "no /proc/thread-self (not Linux)" };
  try {
    setPriority(tid, Math.max(getPriority(tid), nice));
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

/** CAP_SYS_NICE's bit in /proc/<pid>/status's CapEff (capability(7)). */
const CAP_SYS_NICE = 23n;

/**
 * Whether a thread of this process, once under SCHED_IDLE, may be put back under the normal
 * policy at nice 10: the kernel lets a thread leave SCHED_IDLE only when its RLIMIT_NICE
 * would let it raise its priority to its nice value (sched(7): "Since Linux 2.6.39 ...
 * so long as its nice value falls within the range permitted by its RLIMIT_NICE"; nice 10
 * needs a limit of 20 - 10 = 10), or with CAP_SYS_NICE. Debian's default limit is 0, so
 * a hub run by an ordinary user cannot; root (this machine) and a unit with
 * LimitNICE=10 / AmbientCapabilities=CAP_SYS_NICE can. Without it the starvation guard
 * (starvation-guard.ts) could not lift a starved thread, so giveWay keeps nice 10.
 */
export function canLeaveIdle(nice = WEB_THREAD_NICE): boolean {
  try {
    const capEff = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    if (capEff !== undefined && (BigInt(`0x${capEff}`) >> CAP_SYS_NICE) & 1n) return true;
    const soft = /^Max nice priority\s+(\S+)/m.exec(readFileSync("/proc/self/limits", "utf8"))?.[1];
    return soft === "unlimited" || (soft !== undefined && Number(soft) >= 20 - nice);
  } catch {
    return false;
  }
}

/**
 * Moves another thread of this process to `policy` ("other": the normal policy, keeping its
 * nice value; "idle": SCHED_IDLE) with chrt, asynchronously: the caller is the broker's
 * thread, which must not wait for a process to start. Resolves with null on success, or why not.
 */
export function setThreadPolicy(tid: number, policy: "other" | "idle"): Promise<string | null> {
  return new Promise((resolve) => {
    const chrt = spawn("chrt", [`--${policy}`, "--pid", "0", String(tid)], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    chrt.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    chrt.once("error", (error) => resolve(`chrt: ${error.message}`));
    chrt.once("close", (code, signal) => resolve(code === 0 ? null : `chrt exited with ${code ?? signal}: ${stderr.trim()}`));
  });
}

/** What giveWay did: the policy this thread runs under now, and why not the one asked for. */
export type GaveWay = { got: "idle" | "nice" | "unchanged"; reason?: string };

/**
 * Makes this thread give way to the broker's: nice 10, then SCHED_IDLE when `wanted` is
 * "idle". A thread started by one already idle inherits the policy (pthread_create's
 * default), so a reader thread of an idle web thread spawns nothing.
 */
export function giveWay(wanted: WebPriority): GaveWay {
  const niced = lowerOwnPriority(WEB_THREAD_NICE);
  const tid = ownThreadId();
  if (tid === null) return { got: "unchanged", reason: niced.ok ? "no /proc/thread-self (not Linux)" : niced.reason };
  const now = threadScheduling(tid);
  if (wanted === "nice" || now?.policy === SCHED_IDLE) {
    // An inherited SCHED_IDLE under "nice" stays: nothing unprivileged may leave it for a normal policy above RLIMIT_NICE.
    if (now?.policy === SCHED_IDLE) return { got: "idle" };
    return niced.ok ? { got: "nice" } : { got: "unchanged", reason: niced.reason };
  }
  // Idle only where the starvation guard can lift it again when other programs take the cores (review-17 F2).
  if (!canLeaveIdle()) {
    const why = "SCHED_IDLE could not be left again (RLIMIT_NICE below 10 and no CAP_SYS_NICE), so a starved thread could not be lifted";
    return niced.ok ? { got: "nice", reason: why } : { got: "unchanged", reason: `${niced.reason}; ${why}` };
  }
  const chrt = spawnSync("chrt", ["--idle", "--pid", "0", String(tid)], { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", timeout: 10_000 });
  if (threadScheduling(tid)?.policy === SCHED_IDLE) return { got: "idle" };
  const why = chrt.error ? `chrt: ${chrt.error.message}` : `chrt exited with ${chrt.status ?? chrt.signal}: ${chrt.stderr.trim()}`;
  return niced.ok ? { got: "nice", reason: why } : { got: "unchanged", reason: `${niced.reason}; ${why}` };
}

// The web thread gives way to the broker's thread for the machine's cores (issue 13: the
// broker never waits for the web). During a day's export and three chart readers the
// broker's thread is idle ~88 % of the time (bench/README.md, "Issue 13, fourth pass"):
// what delays a reading's round trip is that thread waiting for a core the web thread,
// SQLite and the browsers hold. On Linux a nice value is a thread's own (setpriority(2),
// BUGS: "the nice value is a per-thread attribute"), so the web thread can lower its own
// priority without touching the broker's; raising one's nice value needs no privilege.
import { readlinkSync } from "node:fs";
import { getPriority, setPriority } from "node:os";

/** The web thread's nice value: the kernel gives a nice-0 thread ~10× its share of a contended core. */
export const WEB_THREAD_NICE = 10;

/** This thread's kernel id ("/proc/thread-self" → "<pid>/task/<tid>"); null where there is no such link. */
export function ownThreadId(): number | null {
  try {
    const match = /\/task\/(\d+)$/.exec(readlinkSync("/proc/thread-self"));
    return match ? Number(match[1]) : null;
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

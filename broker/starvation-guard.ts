// The web side gives way to the broker but never starves (review-17 F2). Under SCHED_IDLE a
// thread weighs 3 against a nice-0 thread's 1024: when other programs on the host (a video
// decoder, a backup) keep both cores busy, the web thread and its history readers get ~0.3 %
// of a core and a page takes tens of seconds. So the hub's thread watches how long each
// SCHED_IDLE thread of this process waited for a core — /proc/self/task/<tid>/schedstat's
// second field: ns runnable but not running — once a second, and lifts a thread that waited
// most of the interval to the normal policy at nice 10 (HEARTH_WEB_PRIORITY=nice's policy,
// which gets ~10 % of a core beside a nice-0 hog and still lets the broker first) for a
// while, then puts it back under SCHED_IDLE.
//
// Thresholds, from bench/tools/idle-wait.ts (bench/README.md "Starvation guard"): how long a
// thread waited says it wanted a core, not that others starved it — three of Hearth's own
// SCHED_IDLE threads busy beside each other (weights 3 and 3) waited 27-82 % of each second
// on this shared 2-core machine, as much as one beside two nice-0 busy loops (39-142 %; the
// kernel adds a wait when it ends, so a second may get more than a second's wait). What
// tells them apart is how much of what it asked for it got, ran / (ran + waited): 0-5 %
// beside the nice-0 loops, 18-73 % beside its own kind (27-33 % with one nice-0 loop as a
// fully busy broker thread). So a thread is lifted when it waited more than half the
// interval (LIFT_WAIT_SHARE: a page's worth of work, not a timer's) and got less than a
// tenth (LIFT_GOT_SHARE), and Hearth's own load never lifts it (which would give back the
// broker's SCHED_IDLE gain). Lifted, at nice 10 beside nice-0 work it gets ~10 %, so it
// stays lifted while it still waits more than a quarter of the time (STAY_LIFTED_WAIT_SHARE)
// and goes back after LIFT_MS of less.
//
// Cost: on the broker's thread, one unref'd timer a second reading one small /proc file per
// watched thread (~20 µs each), and a listing of /proc/self/task every SCAN_EVERY ticks to
// find new SCHED_IDLE threads (the reader threads start and end with the reads); chrt runs
// only on a transition, spawned asynchronously. Nothing on the per-message path.
import { readdirSync, readFileSync } from "node:fs";
import type { Logger } from "../lib/log";
import { SCHED_IDLE, setThreadPolicy, threadScheduling } from "./thread-priority";

export const GUARD_EVERY_MS = 1_000;
export const LIFT_WAIT_SHARE = 0.5;
export const LIFT_GOT_SHARE = 0.1;
export const STAY_LIFTED_WAIT_SHARE = 0.25;
export const LIFT_MS = 30_000;
const SCAN_EVERY = 5;
/** One log line per this many ms at most for lifts; the others are counted into the next. */
const LOG_EVERY_MS = 10 * 60_000;

type Watched = { tid: number; name: string; waitNs: number; runNs: number; runnable: boolean; at: number; liftedUntil: number | null; busy: boolean; failed: boolean };

/** A transition; `waitShare`: of the last interval, `gotShare`: ran / (ran + waited) in it. */
export type GuardEvent = { tid: number; name: string; to: "other" | "idle"; waitShare: number; gotShare: number };

export type StarvationGuard = {
  /** Watches `tid` (a thread of this process under SCHED_IDLE) as `name`. */
  watch(tid: number, name: string): void;
  /** The threads lifted now. */
  lifted(): number[];
  stop(): void;
};

/**
 * `ns` spent running and waiting for a core, and whether the thread is runnable now (state R);
 * null when it has ended. The kernel adds a wait to schedstat only when the thread gets its
 * core (sched_info_arrive), so a thread that has not run at all since the last tick shows no
 * new wait: being runnable at two ticks with no run time between says the same thing.
 */
function sample(tid: number): { runNs: number; waitNs: number; runnable: boolean } | null {
  try {
    const [run, wait] = readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ");
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    return { runNs: Number(run), waitNs: Number(wait), runnable: stat[stat.lastIndexOf(")") + 2] === "R" };
  } catch {
    return null;
  }
}

export function startStarvationGuard(opts: {
  log: Logger;
  everyMs?: number;
  liftMs?: number;
  liftWaitShare?: number;
  /** Finds this process's other SCHED_IDLE threads (the reader threads) by itself; on unless false. */
  scan?: boolean;
  /** Each transition, once chrt has made it (the tests wait on it). */
  onChange?: (event: GuardEvent) => void;
}): StarvationGuard {
  const everyMs = opts.everyMs ?? GUARD_EVERY_MS;
  const liftMs = opts.liftMs ?? LIFT_MS;
  const liftShare = opts.liftWaitShare ?? LIFT_WAIT_SHARE;
  const watched = new Map<number, Watched>();
  let stopped = false;
  let ticks = 0;
  let lastLogAt = -Infinity;
  let unlogged = 0;

  const watch = (tid: number, name: string) => {
    if (watched.has(tid)) return;
    const now = sample(tid);
    if (now !== null) watched.set(tid, { tid, name, ...now, at: performance.now(), liftedUntil: null, busy: false, failed: false });
  };

  const scan = () => {
    let tids: string[];
    try {
      tids = readdirSync("/proc/self/task");
    } catch {
      return;
    }
    for (const entry of tids) {
      const tid = Number(entry);
      if (!watched.has(tid) && threadScheduling(tid)?.policy === SCHED_IDLE) watch(tid, "web side thread");
    }
  };

  const move = (w: Watched, to: "other" | "idle", waitShare: number, gotShare: number) => {
    w.busy = true;
    void setThreadPolicy(w.tid, to).then((failure) => {
      w.busy = false;
      if (stopped && to === "other") return;
      if (failure !== null) {
        if (threadScheduling(w.tid) === null) return void watched.delete(w.tid); // it ended meanwhile
        // Once per thread: a guard that cannot change the policy would otherwise try every second.
        w.failed = true;
        opts.log.error("cannot change a web side thread's scheduling policy", { code: "web-priority-guard-failed", thread: w.name, tid: w.tid, to, reason: failure });
        return;
      }
      if (to === "other") {
        const now = performance.now();
        if (now - lastLogAt >= LOG_EVERY_MS) {
          opts.log.warn("a web side thread starved under SCHED_IDLE: other programs hold the cores; it runs at nice 10 for a while", {
            code: "web-priority-lifted",
            thread: w.name,
            tid: w.tid,
            waitedPct: Math.round(waitShare * 100),
            gotPct: Math.round(gotShare * 100),
            forMs: liftMs,
            liftsNotLogged: unlogged,
          });
          lastLogAt = now;
          unlogged = 0;
        } else unlogged++;
      }
      opts.onChange?.({ tid: w.tid, name: w.name, to, waitShare, gotShare });
    });
  };

  const tick = () => {
    if (opts.scan !== false && ticks++ % SCAN_EVERY === 0) scan();
    const now = performance.now();
    for (const w of watched.values()) {
      const stat = sample(w.tid);
      if (stat === null) {
        watched.delete(w.tid);
        continue;
      }
      const ranNs = stat.runNs - w.runNs;
      const waitedNs = stat.waitNs - w.waitNs;
      const stuck = w.runnable && stat.runnable && ranNs === 0; // runnable throughout, and not run at all
      // A wait lump may cover more than the interval (it started before): capped at all of it.
      const share = stuck ? 1 : Math.min(1, waitedNs / 1e6 / Math.max(1, now - w.at));
      const got = stuck ? 0 : ranNs / Math.max(1, ranNs + waitedNs);
      Object.assign(w, stat, { at: now });
      if (w.busy || w.failed) continue;
      if (w.liftedUntil === null) {
        if (share > liftShare && got < LIFT_GOT_SHARE) {
          w.liftedUntil = now + liftMs;
          move(w, "other", share, got);
        }
      } else if (share > STAY_LIFTED_WAIT_SHARE) w.liftedUntil = now + liftMs;
      else if (now >= w.liftedUntil) {
        w.liftedUntil = null;
        move(w, "idle", share, got);
      }
    }
  };

  const timer = setInterval(tick, everyMs);
  timer.unref();
  if (opts.scan !== false) scan();
  return {
    watch,
    lifted: () => [...watched.values()].filter((w) => w.liftedUntil !== null).map((w) => w.tid),
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}

// The starvation guard (review-17 F2) with real CPU hogs: a worker under SCHED_IDLE doing
// steady work beside two busy-loop processes at the test's own priority, which starve it
// on this machine's cores; the guard must lift it, its work must resume, and once the hogs
// have stopped it must go back under SCHED_IDLE.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { availableParallelism } from "node:os";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import type { Logger } from "../lib/log";
import { startStarvationGuard, type GuardEvent } from "./starvation-guard";
import { canLeaveIdle, ownThreadId, SCHED_IDLE, SCHED_OTHER, threadScheduling } from "./thread-priority";

const usable = ownThreadId() !== null && canLeaveIdle();

/** Gives way as web-main.ts does, then counts a 50 ms timer: the steady work a starved thread stops doing. */
const WORKER = `
  const { parentPort } = require("node:worker_threads");
  (async () => {
    (await import("tsx/esm/api")).register();
    const { giveWay, ownThreadId } = await import(${JSON.stringify(new URL("./thread-priority.ts", import.meta.url).href)});
    const result = giveWay("idle");
    parentPort.postMessage({ result, tid: ownThreadId() });
    let count = 0;
    setInterval(() => parentPort.postMessage({ count: ++count }), 50);
  })();`;

/** Busy loops, bounded: each ends by itself after 10 s whatever happens to the test. */
function startHogs(n: number): ChildProcess[] {
  const loop = "const end = Date.now() + 10000; while (Date.now() < end);";
  return Array.from({ length: n }, () => spawn(process.execPath, ["-e", loop], { stdio: "ignore" }));
}

function collectingLog(lines: string[]): Logger {
  const put = (level: string) => (message: string, fields?: object) => void lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { debug: put("debug"), info: put("info"), warn: put("warn"), error: put("error") };
}

test("a SCHED_IDLE worker starved by busy programs is lifted to nice 10, works again, and goes back once they stop", { skip: !usable && "needs Linux and leave to quit SCHED_IDLE (root, or RLIMIT_NICE ≥ 10)", timeout: 30_000 }, async (t) => {
  const worker = new Worker(WORKER, { eval: true });
  const lines: string[] = [];
  const events: GuardEvent[] = [];
  let onEvent = () => {};
  const guard = startStarvationGuard({ log: collectingLog(lines), everyMs: 250, liftMs: 1_500, scan: false, onChange: (e) => (events.push(e), onEvent()) });
  let hogs: ChildProcess[] = [];
  let count = 0;
  let onCount = () => {};
  try {
    const hello = await new Promise<{ result: { got: string }; tid: number }>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    worker.on("message", (m: { count?: number }) => {
      if (m.count !== undefined) (count = m.count), onCount();
    });
    assert.equal(hello.result.got, "idle");
    assert.equal(threadScheduling(hello.tid)?.policy, SCHED_IDLE);
    guard.watch(hello.tid, "test worker");
    const until = (what: string, ms: number, done: () => boolean, hook: (f: () => void) => void) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
        const check = () => done() && (clearTimeout(timer), resolve());
        hook(check);
        check();
      });
    const eventTo = (to: "other" | "idle", ms: number) => until(`the guard moves the worker to ${to}`, ms, () => events.some((e) => e.to === to), (f) => (onEvent = f));

    // One hog per core (plus one: this machine is shared), all at the test's own priority.
    hogs = startHogs(availableParallelism() + 1);
    await eventTo("other", 6_000);
    const lift = events.find((e) => e.to === "other")!;
    t.diagnostic(`waited ${(lift.waitShare * 100).toFixed(0)} % of the interval and ran ${(lift.gotShare * 100).toFixed(0)} % of what it asked for before the lift`);
    assert.equal(threadScheduling(hello.tid)?.policy, SCHED_OTHER, "lifted to the normal policy");
    assert.ok(threadScheduling(hello.tid)!.nice >= 10, "at nice 10 (or the test's own nice if lower), never above the broker");
    assert.match(lines.join("\n"), /warn .*"code":"web-priority-lifted"/);
    // Work resumes beside the hogs: ten more 50 ms ticks within 3 s (starved, it managed none in a second).
    const from = count;
    await until("the lifted worker's timer ticks again", 3_000, () => count >= from + 10, (f) => (onCount = f));
    assert.deepEqual(guard.lifted(), [hello.tid]);

    for (const hog of hogs) hog.kill("SIGKILL");
    await eventTo("idle", 8_000);
    assert.equal(threadScheduling(hello.tid)?.policy, SCHED_IDLE, "back under SCHED_IDLE once the cores are free");
    assert.deepEqual(guard.lifted(), []);
    assert.equal(lines.filter((l) => l.includes("web-priority-lifted")).length, 1, "the lift is logged once");
  } finally {
    for (const hog of hogs) hog.kill("SIGKILL");
    guard.stop();
    await worker.terminate();
  }
});

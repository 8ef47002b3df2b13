// The web thread and its history reader threads give way to the broker's thread (issue 13):
// real threads, their nice value and scheduling policy read from /proc as the kernel sees them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import { ownThreadId, SCHED_IDLE, SCHED_OTHER, threadScheduling } from "./thread-priority";

const linux = ownThreadId() !== null;

/** A worker that gives way as web-main.ts does (TypeScript through tsx's API: workers do not inherit its hooks). */
const WORKER = `
  const { parentPort, workerData } = require("node:worker_threads");
  (async () => {
    (await import("tsx/esm/api")).register();
    const { giveWay, lowerOwnPriority, ownThreadId } = await import(${JSON.stringify(new URL("./thread-priority.ts", import.meta.url).href)});
    const result = workerData.how === "nice only" ? lowerOwnPriority(10) : giveWay(workerData.how);
    parentPort.postMessage({ result, tid: ownThreadId() });
    parentPort.once("message", () => process.exit(0));
  })();`;

type Reply = { result: unknown; tid: number };

/** Starts a worker that gives way `how`; it stays alive (for /proc) until stop(). */
async function startWorker(how: string): Promise<Reply & { stop(): Promise<void> }> {
  const worker = new Worker(WORKER, { eval: true, workerData: { how } });
  const reply = await new Promise<Reply>((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  return { ...reply, stop: async () => void (await worker.terminate()) };
}

test("a worker lowers its own nice value and leaves the thread that started it alone", { skip: !linux && "not Linux" }, async () => {
  const main = ownThreadId()!;
  const before = threadScheduling(main)!;
  const worker = await startWorker("nice only");
  try {
    assert.deepEqual(worker.result, { ok: true });
    assert.notEqual(worker.tid, main);
    assert.equal(threadScheduling(worker.tid)!.nice, Math.max(before.nice, 10));
    assert.deepEqual(threadScheduling(main), before, "the starting thread's priority is unchanged");
  } finally {
    await worker.stop();
  }
});

test("giving way 'idle' puts the worker under SCHED_IDLE at nice 10, and only the worker", { skip: !linux && "not Linux" }, async () => {
  const main = ownThreadId()!;
  const before = threadScheduling(main)!;
  const worker = await startWorker("idle");
  try {
    assert.deepEqual(worker.result, { got: "idle" });
    // SCHED_IDLE: preempted at once when a normal thread wakes on its core (sched(7)); the nice stays as the fallback.
    assert.deepEqual(threadScheduling(worker.tid), { nice: Math.max(before.nice, 10), policy: SCHED_IDLE });
    assert.deepEqual(threadScheduling(main), before, "the broker's (starting) thread keeps its policy and nice value");
    assert.equal(before.policy, SCHED_OTHER);
  } finally {
    await worker.stop();
  }
});

test("giving way 'nice' (HEARTH_WEB_PRIORITY=nice) leaves the worker under the normal policy at nice 10", { skip: !linux && "not Linux" }, async () => {
  const before = threadScheduling(ownThreadId()!)!;
  const worker = await startWorker("nice");
  try {
    assert.deepEqual(worker.result, { got: "nice" });
    assert.deepEqual(threadScheduling(worker.tid), { nice: Math.max(before.nice, 10), policy: SCHED_OTHER });
  } finally {
    await worker.stop();
  }
});

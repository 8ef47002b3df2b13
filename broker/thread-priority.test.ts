import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { Worker } from "node:worker_threads";
import { ownThreadId } from "./thread-priority";

/** A thread's nice value, from /proc (field 19 of its stat line). */
function niceOf(tid: number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
}

/** A worker that lowers its own priority as web-main.ts does (TypeScript through tsx's API: workers do not inherit its hooks). */
const WORKER = `
  const { parentPort } = require("node:worker_threads");
  (async () => {
    (await import("tsx/esm/api")).register();
    const { lowerOwnPriority, ownThreadId } = await import(${JSON.stringify(new URL("./thread-priority.ts", import.meta.url).href)});
    parentPort.postMessage({ result: lowerOwnPriority(10), tid: ownThreadId() });
  })();`;

test("a worker lowers its own priority and leaves the thread that started it alone", { skip: ownThreadId() === null && "not Linux" }, async () => {
  const main = ownThreadId()!;
  const before = niceOf(main);
  const worker = new Worker(WORKER, { eval: true });
  try {
    const { result, tid } = await new Promise<{ result: { ok: boolean }; tid: number }>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    assert.deepEqual(result, { ok: true });
    assert.notEqual(tid, main);
    assert.equal(niceOf(tid), Math.max(before, 10));
    assert.equal(niceOf(main), before, "the starting thread's priority is unchanged");
  } finally {
    await worker.terminate();
  }
});

// The starvation guard's thresholds (broker/starvation-guard.ts): how much of each second a
// SCHED_IDLE worker with steady work waits for a core (schedstat's second field), and how
// many of its 50 ms ticks it manages, (a) beside N nice-0 busy-loop processes, (b) with
// three SCHED_IDLE workers busy-looping beside each other and nothing else (Hearth's own web
// thread and readers competing for the core the broker leaves), and (c) those three beside
// one nice-0 busy loop (the broker's thread at full load). "ticks": 50 ms timer ticks, or
// for the busy workers, fixed 2e6-step loops done. No guard runs.
// `node --import tsx bench/tools/idle-wait.ts [hogs=2] [seconds=5]` under the heavy lock.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";

const hogs = Number(process.argv[2] ?? 2);
const seconds = Number(process.argv[3] ?? 5);
const src = (busy: boolean) => `
  const { parentPort } = require("node:worker_threads");
  (async () => {
    (await import("tsx/esm/api")).register();
    const { giveWay, ownThreadId } = await import(${JSON.stringify(new URL("../../broker/thread-priority.ts", import.meta.url).href)});
    giveWay("idle");
    parentPort.postMessage({ tid: ownThreadId() });
    let count = 0;
    ${busy ? "for (;;) { let x = 0; for (let i = 0; i < 2e6; i++) x += i; parentPort.postMessage({ count: ++count, x }); await new Promise((r) => setImmediate(r)); }" : "setInterval(() => parentPort.postMessage({ count: ++count }), 50);"}
  })();`;
const wait = (tid: number) => Number(readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[1]);
const run = (tid: number) => Number(readFileSync(`/proc/self/task/${tid}/schedstat`, "utf8").split(" ")[0]);

async function measure(label: string, workers: number, busy: boolean, hogCount: number) {
  const ws = Array.from({ length: workers }, () => new Worker(src(busy), { eval: true }));
  const tids = await Promise.all(ws.map((w) => new Promise<number>((r) => w.once("message", (m) => r(m.tid)))));
  const counts = ws.map(() => 0);
  ws.forEach((w, i) => w.on("message", (m) => m.count && (counts[i] = m.count)));
  const loop = `const end = Date.now() + ${seconds * 1000 + 2000}; while (Date.now() < end);`;
  const hs = Array.from({ length: hogCount }, () => spawn(process.execPath, ["-e", loop], { stdio: "ignore" }));
  await new Promise((r) => setTimeout(r, 500));
  const shares: number[][] = tids.map(() => []);
  const got: number[][] = tids.map(() => []);
  for (let s = 0; s < seconds; s++) {
    const before = tids.map(wait);
    const ran = tids.map(run);
    const c0 = [...counts];
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 1000));
    const dt = (performance.now() - t0) * 1e6;
    tids.forEach((tid, i) => {
      const w = wait(tid) - before[i];
      const r = run(tid) - ran[i];
      shares[i].push(w / dt);
      got[i].push(r / Math.max(1, r + w));
    });
    if (s === seconds - 1) console.log(`${label}: ticks in the last second ${counts.map((c, i) => c - c0[i]).join(", ")}`);
  }
  console.log(`${label}: wait share per second per worker: ${shares.map((s) => s.map((x) => (x * 100).toFixed(0)).join("/")).join("  |  ")}`);
  console.log(`${label}: ran / (ran + waited) per second per worker: ${got.map((s) => s.map((x) => (x * 100).toFixed(0)).join("/")).join("  |  ")}`);
  hs.forEach((h) => h.kill("SIGKILL"));
  await Promise.all(ws.map((w) => w.terminate()));
}

await measure(`1 idle worker (50 ms timer) beside ${hogs} nice-0 hogs`, 1, false, hogs);
await measure(`1 idle worker (busy) beside ${hogs} nice-0 hogs`, 1, true, hogs);
await measure("3 idle workers (busy), no hogs", 3, true, 0);
await measure("3 idle workers (busy) beside 1 nice-0 hog (the broker's thread, fully busy)", 3, true, 1);

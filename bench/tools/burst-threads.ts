// Developer tool: which part of the hub keeps memory after the memory section's burst
// (issue 12: RSS 15 s after it ≤ 1.1 × before). The section's steps (1,000 devices, a
// burst of QoS 0 readings, 15 s after), and at each step the process's RssAnon /
// RssFile / RssShmem beside each thread's V8 heap (broker thread, web worker), then a
// forced GC in both threads: what V8 gives back is V8's, what stays outside both heaps
// is malloc's (SQLite's page caches, sockets' buffers, arenas).
//   [DEVICES=1000] [BURST_S=10] [MEM_ENV='K=V ...'] flock /work/locks/heavy.lock node --import tsx bench/tools/burst-threads.ts
import { readFileSync } from "node:fs";
import { burst } from "../memory";
import { closeAll, connectMany } from "../lib/mqtt-load";
import { startHub } from "../lib/servers";
import { attachThreads, type HeapUsage } from "../lib/thread-heaps";

const env = Object.fromEntries((process.env.MEM_ENV ?? "").split(/\s+/).filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
const deviceCount = Number(process.env.DEVICES ?? 1000);
const burstMs = Number(process.env.BURST_S ?? 10) * 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function status(pid: number) {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(s)?.[1] ?? NaN) / 1024;
  return { rss: kb("VmRSS"), anon: kb("RssAnon"), file: kb("RssFile"), shmem: kb("RssShmem") };
}
/** A thread's V8 heap as the OS sees it: every space's physical size, plus external (Buffers). */
const heap = (u: HeapUsage) => ({ v8: u.spaces.reduce((a, [, , phys]) => a + phys, 0) / 1e6, used: u.mu.heapUsed / 1e6, ext: u.mu.external / 1e6 });

const hub = await startHub({ nodeArgs: ["--inspect=127.0.0.1:0"], env });
const clients: Awaited<ReturnType<typeof connectMany>> = [];
try {
  await (await fetch(hub.httpUrl!)).text();
  await sleep(3000);
  const threads = await attachThreads(hub);
  const show = async (label: string) => {
    const p = status(hub.pid);
    const b = heap(await threads.broker());
    const w = heap(await threads.web());
    const f = (x: number) => x.toFixed(1);
    console.log(
      `${label.padEnd(20)} RSS ${f(p.rss)} (anon ${f(p.anon)}, file ${f(p.file)}, shmem ${f(p.shmem)}) | broker V8 ${f(b.v8)} (used ${f(b.used)}, ext ${f(b.ext)}) | ` +
        `web V8 ${f(w.v8)} (used ${f(w.used)}, ext ${f(w.ext)}) | anon outside both heaps ${f(p.anon - b.v8 - w.v8)}`,
    );
  };
  await show("dashboard served");
  const devices = await connectMany(hub.mqttUrl, "dev", deviceCount, 50);
  clients.push(...devices);
  await Promise.all(devices.map((c, i) => c.subscribeAsync(`home/dev-${i}/switch/set`, { qos: 1 })));
  await sleep(3000);
  await show(`${deviceCount} devices`);
  const publishers = await connectMany(hub.mqttUrl, "burst", 10);
  const [tap] = await connectMany(hub.mqttUrl, "tap", 1);
  const sent = await burst(publishers, tap, burstMs);
  await show(`burst (${sent})`);
  await closeAll([...publishers, tap]);
  await sleep(15_000);
  await show("15 s after");
  await threads.collect();
  await sleep(1000);
  await show("after forced GCs");
  threads.close();
} finally {
  await closeAll(clients);
  await hub.stop();
}
process.exit(0);

// Developer tool: where the hub's RSS goes, thread by thread (issue 12's < 150 MB). Starts
// the bench's hub with the inspector, serves the dashboard once, then reads each thread's
// V8 heap (process.memoryUsage and heap spaces, before and after a forced GC) — the broker's
// thread directly, the web worker through the inspector's NodeWorker domain — beside the
// process's RssAnon / RssFile, and which modules the web thread has loaded (count, and the
// packages with the most).
//   flock /work/locks/heavy.lock node --import tsx bench/tools/thread-memory.ts
// BENCH_HUB_NODE_ARGS / MEM_ENV='K=V ...' change how the hub starts, for an A/B.
import { readFileSync } from "node:fs";
import { attachThreads, heapLine } from "../lib/thread-heaps";
import { startHub } from "../lib/servers";

const env = Object.fromEntries((process.env.MEM_ENV ?? "").split(/\s+/).filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The file mappings holding the most resident memory (/proc/<pid>/smaps), in MB. */
function fileMaps(pid: number): string {
  const by = new Map<string, number>();
  let file = "";
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) file = head[1];
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && file.startsWith("/")) by.set(file, (by.get(file) ?? 0) + Number(rss[1]) / 1024);
  }
  return [...by].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([f, mb]) => `${f.split("/").slice(-3).join("/")} ${mb.toFixed(1)}`).join("; ");
}

function status(pid: number): string {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Math.round(Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(s)?.[1] ?? NaN) / 1024);
  return `VmRSS ${kb("VmRSS")} MB (anon ${kb("RssAnon")}, file ${kb("RssFile")}, shmem ${kb("RssShmem")})`;
}

// What the web thread loaded: CommonJS modules by package (Next's server runtime is CommonJS).
const MODULES = `JSON.stringify((() => { const c = require.cache ?? {}; const by = {}; for (const k of Object.keys(c)) { const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(k); const p = m ? m[1] + (k.includes('/compiled/') ? ' ' + (/compiled\\/((?:@[^/]+\\/)?[^/]+)/.exec(k)?.[1] ?? '') : '') : k.includes('/.next/') ? '.next ' + (k.split('/.next/')[1].split('/').slice(0, 3).join('/')) : 'other'; by[p] = (by[p] ?? 0) + 1; } return { total: Object.keys(c).length, top: Object.entries(by).sort((a, b) => b[1] - a[1]).slice(0, 25) }; })())`;

const hub = await startHub({ nodeArgs: ["--inspect=127.0.0.1:0"], env });
try {
  console.log("started:", status(hub.pid));
  await (await fetch(hub.httpUrl!)).text();
  await (await fetch(`${hub.httpUrl}/login`)).text();
  await sleep(3000);
  console.log("dashboard served:", status(hub.pid));
  console.log("file mappings (MB):", fileMaps(hub.pid));
  const threads = await attachThreads(hub);
  console.log("broker thread:", heapLine(await threads.broker()));
  console.log("web thread:   ", heapLine(await threads.web()));
  console.log("web thread modules:", JSON.stringify(await threads.inWeb(MODULES)));
  await threads.collect();
  await sleep(500);
  console.log("after forced GCs:", status(hub.pid));
  console.log("broker thread:", heapLine(await threads.broker()));
  console.log("web thread:   ", heapLine(await threads.web()));
  threads.close();
} finally {
  await hub.stop();
}
process.exit(0);

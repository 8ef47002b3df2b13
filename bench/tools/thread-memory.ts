// Developer tool: where the hub's RSS goes, thread by thread (issue 12's < 150 MB). Starts
// the bench's hub with the inspector, serves the dashboard once, then reads each thread's
// V8 heap (process.memoryUsage and heap spaces, before and after a forced GC) — the broker's
// thread directly, the web worker through the inspector's NodeWorker domain — beside the
// process's RssAnon / RssFile, and which modules the web thread has loaded (count, and the
// packages with the most).
//   flock /work/locks/heavy.lock node --import tsx bench/tools/thread-memory.ts
// BENCH_HUB_NODE_ARGS / MEM_ENV='K=V ...' change how the hub starts, for an A/B.
import { readFileSync } from "node:fs";
import { connectInspector, type Inspector } from "../lib/inspector";
import { startHub } from "../lib/servers";

const env = Object.fromEntries((process.env.MEM_ENV ?? "").split(/\s+/).filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MB = 1e6;

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

const USAGE = `JSON.stringify({ mu: process.memoryUsage(), spaces: require('v8').getHeapSpaceStatistics().map(s => [s.space_name, s.space_used_size, s.physical_space_size]) })`;
// What the web thread loaded: CommonJS modules by package (Next's server runtime is CommonJS).
const MODULES = `JSON.stringify((() => { const c = require.cache ?? {}; const by = {}; for (const k of Object.keys(c)) { const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(k); const p = m ? m[1] + (k.includes('/compiled/') ? ' ' + (/compiled\\/((?:@[^/]+\\/)?[^/]+)/.exec(k)?.[1] ?? '') : '') : k.includes('/.next/') ? '.next ' + (k.split('/.next/')[1].split('/').slice(0, 3).join('/')) : 'other'; by[p] = (by[p] ?? 0) + 1; } return { total: Object.keys(c).length, top: Object.entries(by).sort((a, b) => b[1] - a[1]).slice(0, 25) }; })())`;

type Usage = { mu: Record<string, number>; spaces: [string, number, number][] };
const show = (name: string, u: Usage) =>
  console.log(
    `${name}: rss(process) ${Math.round(u.mu.rss / MB)} heapTotal ${Math.round(u.mu.heapTotal / MB)} heapUsed ${Math.round(u.mu.heapUsed / MB)} external ${Math.round(u.mu.external / MB)} arrayBuffers ${Math.round(u.mu.arrayBuffers / MB)} | ` +
      u.spaces.map(([s, used, phys]) => `${s.replace("_space", "")} ${Math.round(used / MB)}/${Math.round(phys / MB)}`).join(", "),
  );

/** Runtime.evaluate in the web worker, through NodeWorker.sendMessageToWorker. */
async function inWorker(inspector: Inspector, sessionId: string, expression: string, messages: Map<number, (v: string) => void>, id: number) {
  const value = new Promise<string>((resolve) => messages.set(id, resolve));
  await inspector.call("NodeWorker.sendMessageToWorker", { sessionId, message: JSON.stringify({ id, method: "Runtime.evaluate", params: { expression, includeCommandLineAPI: true } }) });
  return JSON.parse(await value);
}

const hub = await startHub({ nodeArgs: ["--inspect=127.0.0.1:0"], env });
try {
  console.log("started:", status(hub.pid));
  await (await fetch(hub.httpUrl!)).text();
  await (await fetch(`${hub.httpUrl}/login`)).text();
  await sleep(3000);
  console.log("dashboard served:", status(hub.pid));
  console.log("file mappings (MB):", fileMaps(hub.pid));
  const inspector = await connectInspector(hub);
  let sessionId = "";
  const messages = new Map<number, (v: string) => void>();
  inspector.on("NodeWorker.attachedToWorker", (p) => (sessionId = p.sessionId as string));
  inspector.on("NodeWorker.receivedMessageFromWorker", (p) => {
    const msg = JSON.parse(p.message as string);
    messages.get(msg.id)?.(msg.result?.result?.value ?? "null");
  });
  await inspector.call("NodeWorker.enable", { waitForDebuggerOnStart: false });
  for (let i = 0; !sessionId && i < 50; i++) await sleep(100);
  if (!sessionId) throw new Error("no web worker to attach to");
  show("broker thread", await inspector.evaluateJson<Usage>(USAGE));
  show("web thread   ", await inWorker(inspector, sessionId, USAGE, messages, 1));
  console.log("web thread modules:", JSON.stringify(await inWorker(inspector, sessionId, MODULES, messages, 2)));
  await inspector.call("HeapProfiler.collectGarbage");
  await inWorker(inspector, sessionId, "(globalThis.gc ?? (() => {}))(), '1'", messages, 3);
  await inspector.call("NodeWorker.sendMessageToWorker", { sessionId, message: JSON.stringify({ id: 4, method: "HeapProfiler.collectGarbage" }) });
  await sleep(500);
  console.log("after forced GCs:", status(hub.pid));
  show("broker thread", await inspector.evaluateJson<Usage>(USAGE));
  show("web thread   ", await inWorker(inspector, sessionId, USAGE, messages, 5));
  inspector.close();
} finally {
  await hub.stop();
}
process.exit(0);

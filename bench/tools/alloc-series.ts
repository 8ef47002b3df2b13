// Developer tool: what one 30-day chart request (`/api/history/series`, the stall section's
// chart readers: home/+/temperature, 20 sensors, points=1000) ALLOCATES on each of the hub's
// threads, from V8's sampling heap profiler over the inspector, counting objects the GCs
// already collected (issue 13: this garbage was suspected of growing the web thread's old
// generation during the export; what let it grow was V8's growing factor for a 2 GB+ heap,
// now bounded by the web thread's old-generation cap in broker/web-thread.ts).
// The stall section's hub (24 h × 20 sensors), requests one after the other.
// CAUTION: over NodeWorker the web thread's totals are not allocation. The same route path
// measured in process (alloc-series-path.ts) allocates 3,225 KB a request on main and 239 KB
// after the series bytes; here both read ~770 KB, which fits objects still in the heap at the
// end (garbage not yet collected), as if the collected-objects options did not take. Use it
// for where the web thread's garbage comes from (its sites), not for how much.
//   node --import tsx bench/tools/alloc-series.ts [requests=100] [rows=25]
// END=<epoch ms> seeds and asks for the same range every run; SAVE=<file> writes the first
// answer's body there (to compare two builds byte for byte; `serverNow` is the hub's clock).
import { writeFileSync } from "node:fs";
import { DAY_OF_READINGS, seedHistory } from "../../e2e/seed-history";
import { connectInspector } from "../lib/inspector";
import { startHub } from "../lib/servers";
import { attachThreads } from "../lib/thread-heaps";
import { seedSession } from "../stall";

type Node = { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: Node[] };
type Profile = { profile: { head: Node } };

const DAY_MS = 86_400_000;
const [requests = "100", rows = "25"] = process.argv.slice(2);
const SAMPLING = { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true };
const end = Number(process.env.END ?? Date.now());

async function body(url: string, cookie: string): Promise<Buffer> {
  const response = await fetch(url, { headers: { cookie } });
  const bytes = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${bytes}`);
  return bytes;
}

/** A frame of the app's own code: a Next chunk (route, proxy, lib) or the web thread's bundle. */
const APP_CODE = /\/chunks\/|\/dist\/web\.mjs$/;

/**
 * Bytes allocated by (allocating function < caller < caller's caller), by the outermost frame
 * of the app's own code on the stack (the route handler, the proxy, or none: Next itself), and their total.
 */
function bySite(head: Node): { total: number; sites: Map<string, number>; outer: Map<string, number> } {
  const sites = new Map<string, number>();
  const outer = new Map<string, number>();
  let total = 0;
  const walk = (node: Node, stack: string[], appFrame: string | null) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const here = [...stack, `${functionName || "(anon)"} ${url.split("/").slice(-2).join("/")}:${lineNumber}`];
    const app = appFrame ?? (APP_CODE.test(url) ? here[here.length - 1] : null);
    if (node.selfSize > 0) {
      const key = here.slice(-3).reverse().join(" < ");
      sites.set(key, (sites.get(key) ?? 0) + node.selfSize);
      const o = app ?? "(no app frame: Next, Node)";
      outer.set(o, (outer.get(o) ?? 0) + node.selfSize);
      total += node.selfSize;
    }
    for (const child of node.children) walk(child, here, app);
  };
  walk(head, [], null);
  return { total, sites, outer };
}

let cookie = "";
const hub = await startHub({
  nodeArgs: ["--inspect=127.0.0.1:0"],
  prepare: async (dir) => {
    seedHistory(dir, { ...DAY_OF_READINGS, end });
    cookie = await seedSession(dir);
  },
});
try {
  const url = `${hub.httpUrl}/api/history/series?topic=${encodeURIComponent("home/+/temperature")}&from=${end - 30 * DAY_MS}&to=${end}&points=1000`;
  const first = await body(url, cookie);
  if (process.env.SAVE) writeFileSync(process.env.SAVE, first);
  for (let i = 0; i < 20; i++) await body(url, cookie); // the route's code compiled, SQLite's pages warm
  const threads = await attachThreads(hub);
  const broker = await connectInspector(hub);
  await threads.webCall("HeapProfiler.enable");
  await broker.call("HeapProfiler.enable");
  await threads.webCall("HeapProfiler.startSampling", SAMPLING);
  await broker.call("HeapProfiler.startSampling", SAMPLING);
  const n = Number(requests);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await body(url, cookie);
  const ms = (performance.now() - t0) / n;
  const web = bySite((await threads.webCall<Profile>("HeapProfiler.stopSampling")).profile.head);
  const brk = bySite(((await broker.call("HeapProfiler.stopSampling")) as unknown as { result: Profile }).result.profile.head);
  threads.close();
  broker.close();
  const kb = (b: number) => (b / n / 1024).toFixed(1).padStart(7);
  console.log(`${n} requests, ${first.length} bytes each, ${ms.toFixed(1)} ms each (one at a time)`);
  console.log(`allocated per request (sampled every ${SAMPLING.samplingInterval} B): web thread ${kb(web.total)} KB, broker thread ${kb(brk.total)} KB`);
  console.log("\nweb thread, by the outermost frame of the app's own code (KB per request):");
  for (const [site, bytes] of [...web.outer].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`${kb(bytes)}  ${site}`);
  for (const [name, t] of [["web", web], ["broker", brk]] as const) {
    console.log(`\n${name} thread, top sites (KB per request):`);
    for (const [site, bytes] of [...t.sites].sort((a, b) => b[1] - a[1]).slice(0, Number(rows))) console.log(`${kb(bytes)}  ${site}`);
  }
} finally {
  await hub.stop();
}

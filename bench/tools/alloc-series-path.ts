// Developer tool: what the chart route's own work allocates per request — the store's reads and
// the answer's bytes, without Next around them — in this process, where V8's sampling heap
// profiler counts objects the GCs already collected (over NodeWorker, in the hub's web thread,
// those options did not take: alloc-series.ts's figures there are garbage not yet collected,
// not allocation; bench/README.md, issue 13 fifth pass). The stall section's data (24 h × 20
// sensors), the stall section's request (home/+/temperature, 30 days, points=1000).
//   node --import tsx bench/tools/alloc-series-path.ts [root=.] [requests=200]
// `root` is a checkout whose lib/history to measure: another worktree for the code before a change.
// Its route's path is found by what its lib has: readSeries + series-json.ts (the bytes), else
// querySeries + JSON.stringify + TextEncoder (what Response.json did).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DAY_OF_READINGS, seedHistory } from "../../e2e/seed-history";

type Node = { selfSize: number; children: Node[] };
const DAY_MS = 86_400_000;
const [root = ".", requests = "200"] = process.argv.slice(2);
const lib = (file: string) => path.resolve(root, "lib/history", file);

const dir = mkdtempSync(path.join(tmpdir(), "hearth-alloc-series-"));
const end = Date.now();
seedHistory(dir, { ...DAY_OF_READINGS, end });
const { openSqliteHistoryReader } = await import(lib("sqlite-reader.ts"));
const series = await import(lib("series.ts"));
const bytes = existsSync(lib("series-json.ts")) ? await import(lib("series-json.ts")) : null;
const reader = openSqliteHistoryReader(path.join(dir, "history.sqlite"));
const req = { topic: "home/+/temperature", from: end - 30 * DAY_MS, to: end, points: 1000 };

/** One request's answer, as the route at `root` makes it. */
async function answer(): Promise<Uint8Array> {
  if (bytes) {
    const json = bytes.createSeriesJson();
    await series.readSeriesInto(reader, req, json);
    return json.finish(Date.now());
  }
  return new TextEncoder().encode(JSON.stringify({ series: await series.querySeries(reader, req), serverNow: Date.now() }));
}

try {
  const size = (await answer()).length;
  for (let i = 0; i < 50; i++) await answer();
  const session = new Session();
  session.connect();
  await session.post("HeapProfiler.enable");
  await session.post("HeapProfiler.startSampling", { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  const n = Number(requests);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await answer();
  const ms = (performance.now() - t0) / n;
  const { profile } = (await session.post("HeapProfiler.stopSampling")) as unknown as { profile: { head: Node } };
  let total = 0;
  const walk = (node: Node) => {
    total += node.selfSize;
    node.children.forEach(walk);
  };
  walk(profile.head);
  console.log(
    `${bytes ? "bytes (readSeries + series-json)" : "objects (querySeries + JSON.stringify + encode)"} at ${root}: ` +
      `${(total / n / 1024).toFixed(1)} KB allocated per request (V8 heap; answer ${size} bytes), ${ms.toFixed(2)} ms each`,
  );
} finally {
  reader.close();
  rmSync(dir, { recursive: true, force: true });
}

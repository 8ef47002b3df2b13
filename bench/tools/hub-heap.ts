// Developer tool: the hub's memory by kind (V8 heap, external, array buffers, the
// rest of RSS), idle and after a forced GC, read over the inspector protocol.
//   node --import tsx bench/tools/hub-heap.ts
import { connectInspector } from "../lib/inspector";
import { startHub } from "../lib/servers";

const hub = await startHub({ nodeArgs: ["--inspect=127.0.0.1:0"] });
try {
  await (await fetch(hub.httpUrl!)).text();
  await new Promise((r) => setTimeout(r, 2000));
  const inspector = await connectInspector(hub);
  const usage = () =>
    inspector.evaluateJson<Record<string, unknown>>(
      "JSON.stringify({ ...process.memoryUsage(), heapSpaces: require('v8').getHeapSpaceStatistics().map(s => [s.space_name, Math.round(s.space_used_size/1e6), Math.round(s.physical_space_size/1e6)]) })",
    );
  const mb = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === "number" ? Math.round(v / 1e6) : v]));
  console.log("idle", mb(await usage()));
  await inspector.call("HeapProfiler.collectGarbage");
  console.log("after gc", mb(await usage()));
  inspector.close();
} finally {
  await hub.stop();
}

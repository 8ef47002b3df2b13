// Developer tool: does the fuzz leak? The hub under `--inspect`; a heap snapshot of the
// broker's thread after a forced GC, then N fuzz packets (e2e/fuzz, TCP and WebSocket),
// then another GC and snapshot; prints RSS, heap used, and the object kinds (V8 node
// type and constructor name) whose count or size grew most between the two.
//   flock /work/locks/heavy.lock node --import tsx bench/tools/fuzz-heap.ts [packets=20000] [rounds=2]
import { runFuzz } from "../../e2e/fuzz/fuzz-run";
import { connectInspector, type Inspector } from "../lib/inspector";
import { rssMB } from "../lib/proc";
import { startHub } from "../lib/servers";

const packets = Number(process.argv[2] ?? 20_000);
const rounds = Number(process.argv[3] ?? 2);

type Kinds = Map<string, { count: number; size: number }>;

/** A heap snapshot of the inspected thread, summed by node type and name. */
async function snapshotKinds(inspector: Inspector): Promise<Kinds> {
  let text = "";
  const stop = inspector.on("HeapProfiler.addHeapSnapshotChunk", (params) => (text += params.chunk as string));
  await inspector.call("HeapProfiler.collectGarbage");
  await inspector.call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  stop();
  const snap = JSON.parse(text) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const [ti, ni, si] = ["type", "name", "self_size"].map((f) => fields.indexOf(f));
  const kinds: Kinds = new Map();
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + ti]];
    // Strings and code by type alone: their names are their contents.
    const name = type === "object" || type === "closure" || type === "native" ? snap.strings[snap.nodes[i + ni]] : "";
    const key = `${type} ${name}`.trim();
    const k = kinds.get(key) ?? { count: 0, size: 0 };
    k.count++;
    k.size += snap.nodes[i + si];
    kinds.set(key, k);
  }
  return kinds;
}

function diff(before: Kinds, after: Kinds) {
  const rows = [...after].map(([key, a]) => {
    const b = before.get(key) ?? { count: 0, size: 0 };
    return { key, count: a.count - b.count, size: a.size - b.size };
  });
  return rows.sort((x, y) => y.size - x.size).slice(0, 25);
}

const hub = await startHub({ nodeArgs: ["--inspect=127.0.0.1:0"], env: { HEARTH_MQTT_CONNECT_TIMEOUT_MS: "1000", HEARTH_MQTT_MAX_CONNECTIONS: "100" } });
try {
  await (await fetch(hub.httpUrl!)).text();
  const inspector = await connectInspector(hub);
  const heapUsed = async () => (await inspector.evaluateJson<number>("JSON.stringify(process.memoryUsage().heapUsed)")) / 1e6;
  let before = await snapshotKinds(inspector);
  console.log(`start: RSS ${rssMB(hub.pid).toFixed(1)} MB, heap used ${(await heapUsed()).toFixed(1)} MB`);
  for (let round = 1; round <= rounds; round++) {
    const result = await runFuzz({ tcpPort: hub.mqttPort, wsUrl: `${hub.httpUrl!.replace("http", "ws")}/mqtt`, packets, seed: 0x5eed + round, deadlineMs: packets * 4 });
    await new Promise((r) => setTimeout(r, 3000)); // connections cut after their linger
    const after = await snapshotKinds(inspector);
    console.log(`after round ${round} (${result.packets} packets, ${result.connections} connections): RSS ${rssMB(hub.pid).toFixed(1)} MB, heap used ${(await heapUsed()).toFixed(1)} MB`);
    for (const r of diff(before, after)) console.log(`  ${r.size > 0 ? "+" : ""}${(r.size / 1e3).toFixed(0).padStart(7)} kB  ${r.count > 0 ? "+" : ""}${r.count}  ${r.key.slice(0, 100)}`);
    before = after;
  }
  inspector.close();
} finally {
  await hub.stop();
}

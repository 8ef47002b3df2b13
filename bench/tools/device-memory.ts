// Developer tool: what one connected device costs Hearth's broker (issue 12's RSS with
// 1,000 devices). The broker alone (engine-server.ts, SQLite store) with the inspector:
// RSS and V8 heap after a forced GC, before and after DEVICES devices connect and
// subscribe (QoS 1, as the memory section's), and the heap's object kinds that grew most.
//   [KINDS=1] node --import tsx bench/tools/device-memory.ts [devices]
import { readFileSync } from "node:fs";
import { connectInspector } from "../lib/inspector";
import { closeAll, connectMany } from "../lib/mqtt-load";
import { startEngine } from "../lib/servers";

const DEVICES = Number(process.argv[2] ?? 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Resident anonymous memory by kind of mapping: malloc's main heap, V8/arena-sized regions, the rest (MB). */
function anonMaps(pid: number): string {
  const by = { "[heap]": 0, ">=32MB regions": 0, "other anon": 0 };
  let name = "";
  let size = 0;
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      name = head[3];
      size = (parseInt(head[2], 16) - parseInt(head[1], 16)) / 1048576;
    }
    const anon = /^Anonymous:\s+(\d+) kB/.exec(line);
    if (!anon) continue;
    const key = name === "[heap]" ? "[heap]" : name === "" && size >= 32 ? ">=32MB regions" : "other anon";
    by[key as keyof typeof by] += Number(anon[1]) / 1024;
  }
  return Object.entries(by).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ");
}
const kb = (pid: number, name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN);

process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --inspect=127.0.0.1:0`;
const broker = await startEngine();
delete process.env.NODE_OPTIONS;
const inspector = await connectInspector(broker);
// Object counts and self sizes by constructor name, from a heap snapshot (only the summary is kept).
async function kinds(): Promise<Map<string, { count: number; bytes: number }>> {
  let json = "";
  const off = inspector.on("HeapProfiler.addHeapSnapshotChunk", (p) => (json += p.chunk as string));
  await inspector.call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
  off();
  const snap = JSON.parse(json);
  const f = snap.snapshot.meta.node_fields as string[];
  const [iType, iName, iSize] = ["type", "name", "self_size"].map((n) => f.indexOf(n));
  const types = snap.snapshot.meta.node_types[0] as string[];
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < snap.nodes.length; i += f.length) {
    const type = types[snap.nodes[i + iType]];
    const name = type === "object" || type === "closure" ? snap.strings[snap.nodes[i + iName]] : `(${type})`;
    const k = out.get(name) ?? { count: 0, bytes: 0 };
    k.count++;
    k.bytes += snap.nodes[i + iSize];
    out.set(name, k);
  }
  return out;
}
const measure = async () => {
  await inspector.call("HeapProfiler.collectGarbage");
  await sleep(300);
  const mu = await inspector.evaluateJson<Record<string, number>>("JSON.stringify(process.memoryUsage())");
  console.log("  anon mappings (MB):", anonMaps(broker.pid));
  return { rss: kb(broker.pid, "VmRSS"), anon: kb(broker.pid, "RssAnon"), heapUsed: mu.heapUsed / 1024, heapTotal: mu.heapTotal / 1024, external: mu.external / 1024 };
};
try {
  const before = await measure();
  // A heap snapshot mallocs tens of MB that stay resident after it (heap holes): it would
  // count in the "after" figures, so the object kinds are a separate run (KINDS=1).
  const withKinds = process.env.KINDS === "1";
  const kindsBefore = withKinds ? await kinds() : new Map();
  const clients = await connectMany(broker.mqttUrl, "dev", DEVICES, 50);
  await Promise.all(clients.map((c, i) => c.subscribeAsync(`home/dev-${i}/switch/set`, { qos: 1 })));
  await sleep(2000);
  const after = await measure();
  const kindsAfter = withKinds ? await kinds() : new Map<string, { count: number; bytes: number }>();
  const per = (k: keyof typeof before) => ((after[k] - before[k]) / DEVICES).toFixed(1);
  console.log(`before: ${JSON.stringify(before)}`);
  console.log(`after ${DEVICES} devices: ${JSON.stringify(after)}`);
  console.log(`per device (KB): rss ${per("rss")}, anon ${per("anon")}, heapUsed ${per("heapUsed")}, heapTotal ${per("heapTotal")}, external ${per("external")}`);
  const grown = [...kindsAfter]
    .map(([name, k]) => ({ name, count: k.count - (kindsBefore.get(name)?.count ?? 0), bytes: k.bytes - (kindsBefore.get(name)?.bytes ?? 0) }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 20);
  for (const g of grown) console.log(`  ${g.name.slice(0, 40).padEnd(40)} +${g.count} objects, +${(g.bytes / 1024).toFixed(0)} KB (${(g.bytes / DEVICES).toFixed(0)} B/device)`);
  await closeAll(clients);
} finally {
  inspector.close();
  await broker.stop();
}
process.exit(0);

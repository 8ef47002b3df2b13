// Developer tool: what the hub's broker thread ALLOCATES per message during one of the
// brokers section's flows (issue 12: GC was 17–25 % of its thread), from V8's sampling heap
// profiler over the inspector, counting objects the young-generation GC already collected.
// Pinned as the bench pins it; no dashboard page (PROFILE_PAGE=1 opens one).
//   node --import tsx bench/tools/alloc-flow.ts [pattern=qos1-pairs] [messages=30000] [window=50] [rows=40]
import { abBuilds } from "../lib/ab-builds";
import { launchBrowser, openDashboard } from "../lib/browser";
import { connectInspector } from "../lib/inspector";
import { runFlow, type Pattern } from "../lib/mqtt-load";
import { pin } from "../lib/proc";
import { startHub } from "../lib/servers";

type Node = { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: Node[] };

const [pattern = "qos1-pairs", messages = "30000", window = "50", rows = "40"] = process.argv.slice(2);
pin(process.pid, "1");
const hub = await startHub({ core: 0, nodeArgs: ["--inspect=127.0.0.1:0"], bundle: abBuilds().bundleB });
const browser = process.env.PROFILE_PAGE === "1" ? await launchBrowser() : null;
try {
  if (browser) await openDashboard(browser, hub.httpUrl!);
  const inspector = await connectInspector(hub);
  const spec = { pattern: pattern as Pattern, window: window === "Infinity" ? Infinity : Number(window), deadlineMs: 60_000 };
  await runFlow(hub.mqttUrl, { ...spec, messages: 2000 }); // warm-up
  await inspector.call("HeapProfiler.enable");
  await inspector.call("HeapProfiler.startSampling", { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  const r = await runFlow(hub.mqttUrl, { ...spec, messages: Number(messages) });
  await new Promise((res) => setTimeout(res, 300));
  const { result } = (await inspector.call("HeapProfiler.stopSampling")) as unknown as { result: { profile: { head: Node } } };
  inspector.close();
  console.log(`${pattern}: ${r.delivered}/${r.expected} in ${r.elapsedMs.toFixed(0)} ms`);
  const bySite = new Map<string, number>();
  let total = 0;
  const walk = (node: Node, stack: string[]) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName || "(anon)"} ${url.split("/").slice(-2).join("/")}:${lineNumber}`;
    const here = [...stack, name];
    if (node.selfSize > 0) {
      // The allocating function and its two callers: who asked for it.
      const key = here.slice(-3).reverse().join(" < ");
      bySite.set(key, (bySite.get(key) ?? 0) + node.selfSize);
      total += node.selfSize;
    }
    for (const child of node.children) walk(child, here);
  };
  walk(result.profile.head, []);
  console.log(`allocated (sampled) ${(total / 1e6).toFixed(1)} MB, ${(total / r.delivered).toFixed(0)} B/msg`);
  for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, Number(rows))) {
    console.log(`${(bytes / r.delivered).toFixed(0).padStart(6)} B/msg  ${site}`);
  }
} finally {
  await browser?.close();
  await hub.stop();
}

// Developer tool: where the hub's memory goes after a burst, and whether it comes back
// down: RSS and V8's heap by space, read over the inspector protocol, before a burst
// of QoS 0 readings, right after it, a while later, and after a forced GC.
//   node --import tsx bench/tools/burst-memory.ts [seconds=5]
import { connectInspector } from "../lib/inspector";
import { closeAll, connectMany } from "../lib/mqtt-load";
import { rssMB } from "../lib/proc";
import { startHub } from "../lib/servers";

const seconds = Number(process.argv[2] ?? 5);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hub = await startHub({ nodeArgs: ["--inspect=127.0.0.1:0"] });
try {
  await (await fetch(hub.httpUrl!)).text();
  const inspector = await connectInspector(hub);
  const show = async (label: string) => {
    const { m, s } = await inspector.evaluateJson<{ m: NodeJS.MemoryUsage; s: [string, number, number][] }>(
      "JSON.stringify({ m: process.memoryUsage(), s: require('v8').getHeapSpaceStatistics().map(s => [s.space_name.replace('_space',''), Math.round(s.space_used_size/1e6), Math.round(s.physical_space_size/1e6)]) })",
    );
    const mb = (x: number) => Math.round(x / 1e6);
    console.log(
      `${label.padEnd(22)} RSS ${rssMB(hub.pid).toFixed(0)} MB | heap used ${mb(m.heapUsed)} of ${mb(m.heapTotal)} | external ${mb(m.external)} (buffers ${mb(m.arrayBuffers)}) | spaces used/physical ${s
        .filter((x) => x[2] > 0)
        .map((x) => `${x[0]} ${x[1]}/${x[2]}`)
        .join(", ")}`,
    );
  };
  await sleep(1000);
  await show("idle");
  const devices = await connectMany(hub.mqttUrl, "dev", 1000, 50);
  await Promise.all(devices.map((c, i) => c.subscribeAsync(`home/dev-${i}/switch/set`, { qos: 1 })));
  await show("1000 devices");
  const publishers = await connectMany(hub.mqttUrl, "burst", 10);
  const end = performance.now() + seconds * 1000;
  let sent = 0;
  while (performance.now() < end) {
    for (const p of publishers) for (let k = 0; k < 50; k++) p.publish(`home/burst-${sent % 10}/temperature`, String(sent++ % 40));
    await sleep(2);
  }
  await closeAll(publishers);
  await show(`after ${sent} readings`);
  await sleep(15_000);
  await show("15 s later");
  await inspector.call("HeapProfiler.collectGarbage");
  await sleep(500);
  await show("after a forced GC");
  await closeAll(devices);
  inspector.close();
} finally {
  await hub.stop();
}

// Developer tool: the hub's memory by kind (V8 heap, external, array buffers, the
// rest of RSS), idle and after a forced GC, read over the inspector protocol.
//   node --import tsx bench/tools/hub-heap.ts
import WebSocket from "ws";
import { startHub } from "../lib/servers";

const hub = await startHub({ nodeArgs: ["--inspect=127.0.0.1:0"] });
try {
  await (await fetch(hub.httpUrl!)).text();
  await new Promise((r) => setTimeout(r, 2000));
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(hub.output())?.[1];
  if (!url) throw new Error(`no inspector url in:\n${hub.output()}`);
  const ws = new WebSocket(url);
  await new Promise((r) => ws.once("open", r));
  let id = 0;
  const call = (method: string, params: object = {}) =>
    new Promise<{ result?: { result?: { value?: string } } }>((resolve) => {
      const my = ++id;
      const on = (data: WebSocket.RawData) => {
        const msg = JSON.parse(data.toString());
        if (msg.id === my) {
          ws.off("message", on);
          resolve(msg);
        }
      };
      ws.on("message", on);
      ws.send(JSON.stringify({ id: my, method, params }));
    });
  const usage = async () => {
    const r = await call("Runtime.evaluate", {
      expression: "JSON.stringify({ ...process.memoryUsage(), heapSpaces: require('v8').getHeapSpaceStatistics().map(s => [s.space_name, Math.round(s.space_used_size/1e6), Math.round(s.physical_space_size/1e6)]) })",
      includeCommandLineAPI: true,
    });
    return JSON.parse(r.result?.result?.value ?? "{}");
  };
  const mb = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === "number" ? Math.round(v / 1e6) : v]));
  console.log("idle", mb(await usage()));
  await call("HeapProfiler.collectGarbage");
  console.log("after gc", mb(await usage()));
  ws.close();
} finally {
  await hub.stop();
}

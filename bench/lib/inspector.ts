// The developer tools' way into a hub started with `--inspect=127.0.0.1:0`: the
// inspector's WebSocket, found in what the process printed, and one call at a time.
import WebSocket from "ws";
import type { Server } from "./servers";

export type Inspector = {
  call(method: string, params?: object): Promise<{ result?: { result?: { value?: string } } }>;
  /** Evaluates `expression` in the hub (with `require`) and parses the JSON string it returns. */
  evaluateJson<T>(expression: string): Promise<T>;
  /** Every notification of `method` (a heap snapshot's chunks) until the returned function is called. */
  on(method: string, listener: (params: Record<string, unknown>) => void): () => void;
  close(): void;
};

export async function connectInspector(hub: Pick<Server, "output">): Promise<Inspector> {
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(hub.output())?.[1];
  if (!url) throw new Error(`no inspector url in:\n${hub.output()}`);
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  let id = 0;
  const call: Inspector["call"] = (method, params = {}) =>
    new Promise((resolve) => {
      const my = ++id;
      const on = (data: WebSocket.RawData) => {
        const msg = JSON.parse(data.toString());
        if (msg.id !== my) return;
        ws.off("message", on);
        resolve(msg);
      };
      ws.on("message", on);
      ws.send(JSON.stringify({ id: my, method, params }));
    });
  return {
    call,
    async evaluateJson<T>(expression: string) {
      const r = await call("Runtime.evaluate", { expression, includeCommandLineAPI: true });
      return JSON.parse(r.result?.result?.value ?? "null") as T;
    },
    on(method, listener) {
      const onMessage = (data: WebSocket.RawData) => {
        const msg = JSON.parse(data.toString());
        if (msg.method === method) listener(msg.params);
      };
      ws.on("message", onMessage);
      return () => ws.off("message", onMessage);
    },
    close: () => ws.close(),
  };
}

/** The broker thread's event-loop delay (perf_hooks), from this call until `stop()`, in ms. */
export async function brokerLoopDelay(inspector: Inspector) {
  await inspector.evaluateJson(
    `globalThis.__hearthBenchDelay = require("node:perf_hooks").monitorEventLoopDelay({ resolution: 1 }); globalThis.__hearthBenchDelay.enable(); "1"`,
  );
  return {
    stop: () =>
      inspector.evaluateJson<{ p50: number; p99: number; max: number }>(
        `(() => { const h = globalThis.__hearthBenchDelay; h.disable(); return JSON.stringify({ p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 }); })()`,
      ),
  };
}

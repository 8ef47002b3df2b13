// The developer tools' view of the hub's two V8 heaps: the broker's thread through the
// inspector, the web worker through the inspector's NodeWorker domain (the hub must be
// started with `--inspect=127.0.0.1:0`).
import { connectInspector, type Inspector } from "./inspector";
import type { Server } from "./servers";

export type HeapUsage = { mu: Record<string, number>; spaces: [string, number, number][] };
export type ThreadHeaps = {
  broker(): Promise<HeapUsage>;
  web(): Promise<HeapUsage>;
  /** Evaluates `expression` (returning a JSON string) in the web worker. */
  inWeb<T>(expression: string): Promise<T>;
  /** Any inspector method in the web worker (HeapProfiler.startSampling …); its reply's result. */
  webCall<T>(method: string, params?: object): Promise<T>;
  /** A full GC in both threads. */
  collect(): Promise<void>;
  close(): void;
};

const USAGE = `JSON.stringify({ mu: process.memoryUsage(), spaces: require('v8').getHeapSpaceStatistics().map(s => [s.space_name, s.space_used_size, s.physical_space_size]) })`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function attachThreads(hub: Pick<Server, "output">): Promise<ThreadHeaps> {
  const inspector: Inspector = await connectInspector(hub);
  let sessionId = "";
  let id = 0;
  const waiting = new Map<number, (message: { result?: { result?: { value?: string } } }) => void>();
  inspector.on("NodeWorker.attachedToWorker", (p) => (sessionId = p.sessionId as string));
  inspector.on("NodeWorker.receivedMessageFromWorker", (p) => {
    const msg = JSON.parse(p.message as string);
    waiting.get(msg.id)?.(msg);
    waiting.delete(msg.id);
  });
  await inspector.call("NodeWorker.enable", { waitForDebuggerOnStart: false });
  for (let i = 0; !sessionId && i < 50; i++) await sleep(100);
  if (!sessionId) throw new Error("no web worker to attach to");
  const inWorker = async <R = { result?: { value?: string } }>(method: string, params: object) => {
    const my = ++id;
    const reply = new Promise<{ result?: R }>((resolve) => waiting.set(my, resolve as (m: unknown) => void));
    await inspector.call("NodeWorker.sendMessageToWorker", { sessionId, message: JSON.stringify({ id: my, method, params }) });
    return reply;
  };
  const inWeb = async <T>(expression: string) =>
    JSON.parse((await inWorker("Runtime.evaluate", { expression, includeCommandLineAPI: true })).result?.result?.value ?? "null") as T;
  return {
    broker: () => inspector.evaluateJson<HeapUsage>(USAGE),
    web: () => inWeb<HeapUsage>(USAGE),
    inWeb,
    webCall: async <T>(method: string, params: object = {}) => (await inWorker<T>(method, params)).result as T,
    async collect() {
      await inspector.call("HeapProfiler.collectGarbage");
      await inWorker("HeapProfiler.collectGarbage", {});
    },
    close: () => inspector.close(),
  };
}

const MB = 1e6;
/** One line: heap used/total, external and array buffers, and each space's used/physical size, in MB. */
export function heapLine(u: HeapUsage): string {
  const r = (x: number) => Math.round(x / MB);
  return (
    `heapTotal ${r(u.mu.heapTotal)} heapUsed ${r(u.mu.heapUsed)} external ${r(u.mu.external)} arrayBuffers ${r(u.mu.arrayBuffers)} | ` +
    u.spaces
      .filter(([, , phys]) => phys > 0)
      .map(([s, used, phys]) => `${s.replace("_space", "")} ${r(used)}/${r(phys)}`)
      .join(", ")
  );
}

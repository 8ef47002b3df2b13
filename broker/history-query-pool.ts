// Chart queries off the web thread, on a few reader threads of its own (issue 13:
// several people reading history at once must not queue behind each other more than
// SQLite requires). better-sqlite3 runs a query to its end on the calling thread; a
// 30-day chart of 20 sensors is ~20 ms of it, so three people's charts queued on the
// web thread, and every page behind them. Each reader thread holds its own read-only
// connection (WAL readers do not wait for each other or for the recorder). Threads start
// on the first chart and end after a quiet minute, so an idle hub pays no memory for them.
import { Worker } from "node:worker_threads";
import type { HistoryQuery, HistorySeries } from "../lib/history/store";
import type { Logger } from "../lib/log";

export type QueryRequest = { id: number; query: HistoryQuery };
export type QueryReply = { id: number; ok: true; series: HistorySeries } | { id: number; ok: false; error: { message: string; code?: string } };

export type QueryPool = { query(q: HistoryQuery): Promise<HistorySeries>; close(): Promise<void> };

/** Two readers: the machines Hearth runs on have 2–4 cores, and the broker's thread needs one. */
export const POOL_SIZE = 2;
const IDLE_MS = 60_000;

type Reader = { worker: Worker; pending: Map<number, { resolve(s: HistorySeries): void; reject(e: Error): void }> };

/** The reader thread's entry: the .ts under tsx (tests, npm run dev), dist/history-query.mjs beside the web bundle. */
function entry(): URL {
  return import.meta.url.endsWith(".ts") ? new URL("./history-query-worker.ts", import.meta.url) : new URL("./history-query.mjs", import.meta.url);
}

/** Under tsx (tests, npm run dev) the thread registers tsx's loader before it loads the .ts entry. */
function startWorker(at: URL, workerData: unknown): Worker {
  if (!at.pathname.endsWith(".ts")) return new Worker(at, { workerData });
  const code = `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(at.href)}); })`;
  return new Worker(code, { eval: true, workerData });
}

export function createQueryPool(opts: { file: string; log: Logger; size?: number }): QueryPool {
  const size = opts.size ?? POOL_SIZE;
  const readers: Reader[] = [];
  let next = 0;
  let idle: NodeJS.Timeout | undefined;

  const start = (): Reader => {
    const reader: Reader = { worker: startWorker(entry(), { file: opts.file }), pending: new Map() };
    reader.worker.on("message", (reply: QueryReply) => {
      const waiter = reader.pending.get(reply.id);
      if (!waiter) return;
      reader.pending.delete(reply.id);
      if (reader.pending.size === 0) reader.worker.unref(); // an idle reader keeps no process alive
      if (reply.ok) waiter.resolve(reply.series);
      else waiter.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
      if (readers.every((r) => r.pending.size === 0)) idleSoon();
    });
    // A reader that fails takes only its own queries with it; the next chart starts another.
    reader.worker.on("error", (error) => opts.log.error("history reader thread failed", { code: "history-reader-failed", error: error.message }));
    reader.worker.once("exit", () => {
      if (readers.includes(reader)) readers.splice(readers.indexOf(reader), 1);
      for (const waiter of reader.pending.values()) waiter.reject(new Error("the history reader thread stopped"));
    });
    reader.worker.unref();
    readers.push(reader);
    return reader;
  };
  /** The reader with the fewest queries in hand; a new one while there is room and every one is busy. */
  const pick = (): Reader => {
    const least = readers.reduce<Reader | undefined>((best, r) => (best && best.pending.size <= r.pending.size ? best : r), undefined);
    return least && (least.pending.size === 0 || readers.length >= size) ? least : start();
  };
  const stopAll = () => Promise.all(readers.map((r) => r.worker.terminate())).then(() => {});
  const idleSoon = () => {
    clearTimeout(idle);
    idle = setTimeout(() => void stopAll(), IDLE_MS);
    idle.unref();
  };

  return {
    query(query) {
      clearTimeout(idle);
      const reader = pick();
      const id = next++;
      return new Promise<HistorySeries>((resolve, reject) => {
        reader.pending.set(id, { resolve, reject });
        reader.worker.ref();
        reader.worker.postMessage({ id, query } satisfies QueryRequest);
      });
    },
    async close() {
      clearTimeout(idle);
      await stopAll();
    },
  };
}

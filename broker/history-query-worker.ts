// One reader thread of the web thread's chart pool (history-query-pool.ts; bundled as
// dist/history-query.mjs): its own read-only SQLite connection, answering chart queries.
// better-sqlite3 is synchronous, so on the web thread two people's charts ran one after
// the other; WAL lets connections read side by side, and a thread each lets them.
import { parentPort, workerData } from "node:worker_threads";
import { openSqliteHistoryReader } from "../lib/history/sqlite-reader";
import type { QueryReply, QueryRequest } from "./history-query-pool";

if (parentPort === null || typeof (workerData as { file?: unknown })?.file !== "string") {
  throw new Error("history-query-worker.ts runs only as a thread of the web thread's chart pool");
}
const port = parentPort;
const reader = openSqliteHistoryReader((workerData as { file: string }).file);
port.on("message", async ({ id, query }: QueryRequest) => {
  try {
    port.postMessage({ id, ok: true, series: await reader.query(query) } satisfies QueryReply);
  } catch (error) {
    const e = error as Error & { code?: string };
    port.postMessage({ id, ok: false, error: { message: e.message, code: e.code } } satisfies QueryReply);
  }
});
port.once("close", () => reader.close());

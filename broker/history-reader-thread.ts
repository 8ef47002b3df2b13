// One history reader thread of the web thread (history-readers.ts starts it; bundled as
// dist/history-reader.mjs beside dist/web.mjs): its own read-only SQLite connection,
// answering one request (one or more reads, reader-wire.ts) at a time. better-sqlite3
// runs a query to its end on the calling thread; here that thread is this one, so the
// web thread renders pages meanwhile, and WAL lets this connection read beside the
// recorder and beside the other readers.
import { parentPort, workerData } from "node:worker_threads";
import { answerCall, numberBuffer, toWire, type ReaderReplies, type ReaderReply, type ReaderRequest } from "../lib/history/reader-wire";
import { openSqliteHistoryReader } from "../lib/history/sqlite-reader";
import type { HistoryReader } from "../lib/history/store";
import type { WebPriority } from "../lib/config-schema";
import { giveWay, type GaveWay } from "./thread-priority";

/** The first message a reader thread sends: whether its connection opened, and how it gave way to the broker. */
export type ReaderHello = ({ hello: true; ok: true } | { hello: true; ok: false; error: ReturnType<typeof toWire> }) & { priority: GaveWay };

/** A reader thread's workerData. */
export type ReaderThreadData = { historyReaderFile: string; priority: WebPriority };

const data = workerData as Partial<ReaderThreadData> | null;
const file = data?.historyReaderFile;
if (parentPort === null || typeof file !== "string") throw new Error("history-reader-thread.ts runs only as a history reader thread");
const port = parentPort;
// Like the web thread it serves: the broker's thread gets a core first (thread-priority.ts).
const priority = giveWay(data?.priority ?? "idle");

let reader: HistoryReader | null = null;
try {
  reader = openSqliteHistoryReader(file);
  port.postMessage({ hello: true, ok: true, priority } satisfies ReaderHello);
} catch (error) {
  // The pool logs it and fails the waiting reads with a code; this thread has nothing to do.
  port.postMessage({ hello: true, ok: false, error: toWire(error), priority } satisfies ReaderHello);
  port.close();
}

if (reader !== null) {
  const reads = reader;
  // The reads of one request one after another, their numbers into the buffer the web thread
  // sent (reader-wire.ts), which goes back with the replies.
  port.on("message", async ({ calls, buffer }: ReaderRequest) => {
    const out = numberBuffer(buffer);
    const replies: ReaderReply[] = [];
    for (const call of calls) {
      const start = out.at();
      try {
        replies.push({ ok: true, answer: await answerCall(reads, call, out) });
      } catch (error) {
        out.truncate(start);
        replies.push({ ok: false, error: toWire(error) });
      }
    }
    const numbers = out.buffer();
    port.postMessage({ replies, buffer: numbers } satisfies ReaderReplies, [numbers]);
  });
  port.once("close", () => reads.close());
}

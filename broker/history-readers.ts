// The web thread's history reads on reader threads of their own (issue 13: several people
// reading history at once do not queue behind each other more than SQLite requires, and a
// long read never holds up the web thread's page renders). Each thread holds its own
// read-only connection (history-reader-thread.ts). Requests wait in one queue here and go,
// oldest first, to a thread with nothing in hand: a thread busy with a long read is never
// given more, so with two or more threads a chart read beside an export waits only for a
// core, not for the export. Threads start on demand, up to `size`, and end after a quiet
// minute. The queue on the web thread is what a thread would have queued: each request is
// a short query (an export asks a chunk of rows at a time, csv-stream.ts), so nothing is
// held here but the requests themselves.
import { Worker } from "node:worker_threads";
import { collectSeries } from "../lib/history/series";
import { fromWire, HISTORY_READER_FAILED, HISTORY_READERS_CLOSED, HISTORY_UNREADABLE } from "../lib/history/reader-wire";
import { replayRawChunk, replaySeries, type ReaderAnswer, type ReaderCall, type ReaderReply } from "../lib/history/reader-wire";
import type { HistoryReader, LatestReading, StoreSize, StoredTopic } from "../lib/history/store";
import type { Logger } from "../lib/log";
import type { WebPriority } from "../lib/config-schema";
import type { ReaderHello, ReaderThreadData } from "./history-reader-thread";

const IDLE_MS = 60_000;

type Job = { call: ReaderCall; resolve(answer: ReaderAnswer): void; reject(error: Error): void };
type Reader = { worker: Worker; ready: boolean; job: Job | null; refused?: boolean };

/** The thread's entry: the .ts under tsx (tests, npm run dev), dist/history-reader.mjs beside dist/web.mjs. */
function entry(): URL {
  return import.meta.url.endsWith(".ts") ? new URL("./history-reader-thread.ts", import.meta.url) : new URL("./history-reader.mjs", import.meta.url);
}

/** Under tsx (tests, npm run dev) the thread registers tsx's loader first: a worker does not inherit the parent's module hooks. */
function startThread(at: URL, workerData: unknown): Worker {
  if (!at.pathname.endsWith(".ts")) return new Worker(at, { workerData });
  const code = `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(at.href)}); })`;
  return new Worker(code, { eval: true, workerData });
}

const coded = (code: string, message: string) => Object.assign(new Error(message), { code });

export function createHistoryReaders(opts: {
  file: string;
  size: number;
  log: Logger;
  /** How each thread gives way to the broker's (thread-priority.ts); "idle" unless given. */
  priority?: WebPriority;
}): HistoryReader & { threads(): { started: number; ready: number } } {
  const { file, size, log } = opts;
  const priority = opts.priority ?? "idle";
  let priorityLogged = false; // once per pool: threads start and end with the reads
  const readers: Reader[] = [];
  const queue: Job[] = [];
  let closed = false;
  let idle: NodeJS.Timeout | undefined;
  let unreadable = false; // logged once per spell, not once per read

  const failQueued = (error: Error) => {
    for (const job of queue.splice(0)) job.reject(error);
  };
  const remove = (reader: Reader) => {
    const at = readers.indexOf(reader);
    if (at >= 0) readers.splice(at, 1);
  };

  const start = (): Reader => {
    const worker = startThread(entry(), { historyReaderFile: file, priority } satisfies ReaderThreadData);
    const reader: Reader = { worker, ready: false, job: null };
    readers.push(reader);
    worker.on("message", (m: ReaderHello | ReaderReply) => {
      if ("hello" in m) return hello(reader, m);
      const job = reader.job;
      reader.job = null;
      if (job && m.ok) job.resolve(m.answer);
      else if (job && !m.ok) job.reject(fromWire(m.error));
      dispatch();
    });
    worker.on("error", (error) => log.error("history reader thread failed", { code: HISTORY_READER_FAILED, error: error.stack ?? error.message }));
    worker.once("exit", (exitCode) => {
      remove(reader);
      reader.job?.reject(coded(HISTORY_READER_FAILED, "history: the reader thread stopped during the read"));
      reader.job = null;
      if (closed) return;
      // A thread that ended before it said hello would end again: the waiting reads fail now, the next read tries again.
      if (!reader.ready && !reader.refused) {
        log.error("history reader thread did not start", { code: HISTORY_READER_FAILED, exitCode });
        failQueued(coded(HISTORY_READER_FAILED, "history: the reader thread did not start; see the hub's log"));
      }
      dispatch();
    });
    return reader;
  };

  const hello = (reader: Reader, m: ReaderHello) => {
    if (m.priority.got !== priority && !priorityLogged) {
      priorityLogged = true;
      const code = m.priority.got === "nice" ? "web-priority-nice-only" : "web-priority-unchanged";
      log.warn(`history reader thread runs at ${m.priority.got === "nice" ? "nice 10" : "the broker's priority"}, not ${priority === "idle" ? "SCHED_IDLE" : "nice 10"}`, { code, reason: m.priority.reason });
    }
    if (m.ok) {
      reader.ready = true;
      if (unreadable) log.info("history database readable again", { file });
      unreadable = false;
      return dispatch();
    }
    // A thread that cannot open the file ends; the reads waiting now fail, the next read tries again.
    reader.refused = true;
    remove(reader);
    if (!unreadable) log.error("history reader cannot open the database", { code: HISTORY_UNREADABLE, file, error: m.error.message });
    unreadable = true;
    failQueued(coded(HISTORY_UNREADABLE, m.error.message));
  };

  /** Hands the oldest waiting read to a free thread, starting one while there is room. */
  const dispatch = () => {
    if (closed) return;
    while (queue.length > 0) {
      const free = readers.find((r) => r.ready && r.job === null);
      if (free === undefined) {
        // A thread still starting takes the next read when it is ready.
        const starting = readers.filter((r) => !r.ready).length;
        if (readers.length < size && starting < queue.length) start();
        break;
      }
      const job = queue.shift()!;
      free.job = job;
      free.worker.postMessage(job.call);
    }
    // Threads that hold no read (nor start for one) keep no process alive, and end after a quiet spell.
    for (const r of readers) (r.job || (!r.ready && queue.length > 0) ? r.worker.ref() : r.worker.unref());
    clearTimeout(idle);
    if (queue.length === 0 && readers.every((r) => r.job === null) && readers.length > 0) {
      idle = setTimeout(() => void stopAll(), IDLE_MS);
      idle.unref();
    }
  };

  const stopAll = async () => {
    const stopping = readers.splice(0);
    await Promise.all(stopping.map((r) => r.worker.terminate()));
  };

  const ask = (call: ReaderCall) =>
    new Promise<ReaderAnswer>((resolve, reject) => {
      if (closed) return reject(coded(HISTORY_READERS_CLOSED, "history: the database connection is not open (the hub is shutting down)"));
      queue.push({ call, resolve, reject });
      dispatch();
    });

  return {
    readSeries: async (q, into) => replaySeries(await ask({ op: "series", q }), into),
    query: (q) => collectSeries(async (into) => replaySeries(await ask({ op: "series", q }), into)),
    readRawChunk: async (q, into) => replayRawChunk(await ask({ op: "rawChunk", q }), into),
    async readRaw(q) {
      const readings: { t: number; v: number }[] = [];
      replayRawChunk(await ask({ op: "raw", q }), (t, v) => readings.push({ t, v }));
      return readings;
    },
    countRaw: async (q) => (await ask({ op: "countRaw", q })).value as number,
    topics: async () => (await ask({ op: "topics" })).value as StoredTopic[],
    latest: async () => (await ask({ op: "latest" })).value as LatestReading[],
    size: async () => (await ask({ op: "size" })).value as StoreSize,
    threads: () => ({ started: readers.length, ready: readers.filter((r) => r.ready).length }),
    async close() {
      closed = true;
      clearTimeout(idle);
      const error = coded(HISTORY_READERS_CLOSED, "history: the database connection is not open (the hub is shutting down)");
      failQueued(error);
      for (const r of readers) r.job?.reject(error);
      await stopAll();
    },
  };
}

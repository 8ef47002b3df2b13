// The web thread's history reads on reader threads of their own (issue 13: several people
// reading history at once do not queue behind each other more than SQLite requires, and a
// long read never holds up the web thread's page renders). Each thread holds its own
// read-only connection (history-reader-thread.ts). Reads wait in one queue here and go,
// oldest first, to a thread with nothing in hand: a thread busy with a long read is never
// given more, and a long read (a whole raw range, an export's count) goes alone, after the
// bounded reads waiting with it (takeBatch), so with two or more threads a chart read
// beside an export waits only for a core, not for the export. A free thread takes every
// read waiting then, shared among the free threads (up to MAX_BATCH each): a chart's
// series, asked in one turn, are one hop to a thread and back, not one each (on two busy
// cores each hop waited for a core). Threads start on demand, up to `size`, and end after a quiet minute. The queue on the web thread
// is what a thread would have queued: each read is a short query (an export asks a chunk
// of rows at a time, csv-stream.ts), so nothing is held here but the requests themselves.
// Each thread's number buffer goes back and forth with its requests (reader-wire.ts).
import { Worker } from "node:worker_threads";
import { CHUNK_ROWS } from "../lib/history/csv-stream";
import { collectSeries } from "../lib/history/series";
import { fromWire, HISTORY_READER_FAILED, HISTORY_READERS_CLOSED, HISTORY_UNREADABLE, MAX_BATCH, withNumbers } from "../lib/history/reader-wire";
import { replayRawChunk, replaySeries, type ReaderAnswer, type ReaderCall, type ReaderReplies, type ReaderRequest } from "../lib/history/reader-wire";
import type { HistoryReader, LatestReading, StoreSize, StoredTopic } from "../lib/history/store";
import type { Logger } from "../lib/log";
import type { WebPriority } from "../lib/config-schema";
import type { ReaderHello, ReaderThreadData } from "./history-reader-thread";

const IDLE_MS = 60_000;
/** A thread's number buffer is kept for its next request up to this size (a 24-series chart at 2,000 points is 1.5 MB). */
const MAX_KEPT_BUFFER_BYTES = 2 * 1024 * 1024;
/**
 * The reader thread's young generation: its garbage is a row array per SQLite row, all
 * dead at once, so a small one costs only cheap scavenges, where V8's default (semi-spaces
 * growing to 16 MB) held ~10 MB more during an export (bench/README.md, readers2).
 */
const READER_YOUNG_GENERATION_MB = 3;

/**
 * One read: its call, and `take`, which reads the answer's numbers into the caller's sink.
 * `take` runs in the reply's handler, before the buffer goes back to the thread.
 */
type Job = { call: ReaderCall; take(answer: ReaderAnswer): unknown; resolve(value: unknown): void; reject(error: Error): void; passed?: boolean };

/**
 * A read whose cost has no small bound: the whole-range raw read (readRaw), the export's
 * count (an index scan of up to 1,000,001 rows), and a raw chunk larger than an export's
 * (csv-stream.ts asks CHUNK_ROWS = 5,000 at a time, a few ms). Series, topics, latest and
 * size are bounded (a series read is reduced to maxPoints in SQL).
 */
export function isLong(call: ReaderCall): boolean {
  return call.op === "raw" || call.op === "countRaw" || (call.op === "rawChunk" && call.q.limit > CHUNK_ROWS);
}
type Reader = { worker: Worker; ready: boolean; jobs: Job[] | null; buffer: ArrayBuffer | null; refused?: boolean };

/** The thread's entry: the .ts under tsx (tests, npm run dev), dist/history-reader.mjs beside dist/web.mjs. */
function entry(): URL {
  return import.meta.url.endsWith(".ts") ? new URL("./history-reader-thread.ts", import.meta.url) : new URL("./history-reader.mjs", import.meta.url);
}

/** Under tsx (tests, npm run dev) the thread registers tsx's loader first: a worker does not inherit the parent's module hooks. */
function startThread(at: URL, workerData: unknown): Worker {
  const resourceLimits = { maxYoungGenerationSizeMb: READER_YOUNG_GENERATION_MB };
  if (!at.pathname.endsWith(".ts")) return new Worker(at, { workerData, resourceLimits });
  const code = `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(at.href)}); })`;
  return new Worker(code, { eval: true, workerData, resourceLimits });
}

const coded = (code: string, message: string) => Object.assign(new Error(message), { code });

export function createHistoryReaders(opts: {
  file: string;
  size: number;
  log: Logger;
  /** How each thread gives way to the broker's (thread-priority.ts); "idle" unless given. */
  priority?: WebPriority;
}): HistoryReader & { threads(): { started: number; ready: number; requests: number } } {
  const { file, size, log } = opts;
  const priority = opts.priority ?? "idle";
  let priorityLogged = false; // once per pool: threads start and end with the reads
  const readers: Reader[] = [];
  const queue: Job[] = [];
  let closed = false;
  let idle: NodeJS.Timeout | undefined;
  let unreadable = false; // logged once per spell, not once per read
  let dispatching = false;
  let requests = 0; // messages sent to threads, for the tests

  const failQueued = (error: Error) => {
    for (const job of queue.splice(0)) job.reject(error);
  };
  const remove = (reader: Reader) => {
    const at = readers.indexOf(reader);
    if (at >= 0) readers.splice(at, 1);
  };

  const start = (): Reader => {
    const worker = startThread(entry(), { historyReaderFile: file, priority } satisfies ReaderThreadData);
    const reader: Reader = { worker, ready: false, jobs: null, buffer: null };
    readers.push(reader);
    worker.on("message", (m: ReaderHello | ReaderReplies) => {
      if ("hello" in m) return hello(reader, m);
      const jobs = reader.jobs ?? [];
      reader.jobs = null;
      jobs.forEach((job, i) => settle(job, m, i));
      // Every answer's numbers are in the sinks now: the buffer can go back with the next request.
      reader.buffer = m.buffer.byteLength <= MAX_KEPT_BUFFER_BYTES ? m.buffer : null;
      dispatch();
    });
    worker.on("error", (error) => log.error("history reader thread failed", { code: HISTORY_READER_FAILED, error: error.stack ?? error.message }));
    worker.once("exit", (exitCode) => {
      remove(reader);
      for (const job of reader.jobs ?? []) job.reject(coded(HISTORY_READER_FAILED, "history: the reader thread stopped during the read"));
      reader.jobs = null;
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

  /** One answer to its caller: its numbers read into the sink now, the promise settled. */
  const settle = (job: Job, m: ReaderReplies, i: number) => {
    const reply = m.replies[i];
    if (reply === undefined) return job.reject(coded(HISTORY_READER_FAILED, "history: a reader thread's reply missed a read"));
    if (!reply.ok) return job.reject(fromWire(reply.error));
    try {
      job.resolve(job.take(withNumbers(reply.answer, m.buffer)));
    } catch (error) {
      job.reject(error as Error);
    }
  };

  /**
   * The next request's reads (review-17 F5). A long read (see `isLong`) goes alone, so no
   * read's reply waits for it. Bounded reads go first: while any waits, they are taken (in
   * order, up to `share`) past the long ones ahead of them, and a long read passed over once
   * goes alone to the next free thread, so a stream of charts cannot keep an export waiting for more than one turn.
   */
  const takeBatch = (share: number): Job[] => {
    const passed = queue.findIndex((job) => job.passed);
    if (passed >= 0) return queue.splice(passed, 1);
    const jobs: Job[] = [];
    const kept: Job[] = [];
    for (const job of queue) {
      if (jobs.length < share && !isLong(job.call)) jobs.push(job);
      else kept.push(job);
    }
    if (jobs.length === 0) return queue.splice(0, 1);
    for (const job of kept) if (isLong(job.call)) job.passed = true;
    queue.splice(0, queue.length, ...kept);
    return jobs;
  };

  /**
   * Hands the waiting reads, oldest first, to the free threads, shared evenly (a thread's
   * share one request), starting a thread while there is room.
   */
  const dispatch = () => {
    dispatching = false;
    if (closed) return;
    while (queue.length > 0) {
      const free = readers.filter((r) => r.ready && r.jobs === null);
      if (free.length === 0) {
        // A thread still starting takes the next reads when it is ready.
        const starting = readers.filter((r) => !r.ready).length;
        if (readers.length < size && starting < queue.length) start();
        break;
      }
      const share = Math.min(MAX_BATCH, Math.ceil(queue.length / free.length));
      const jobs = takeBatch(share);
      const thread = free[0];
      thread.jobs = jobs;
      const buffer = thread.buffer;
      thread.buffer = null;
      requests++;
      thread.worker.postMessage({ calls: jobs.map((j) => j.call), buffer } satisfies ReaderRequest, buffer ? [buffer] : []);
    }
    // Threads that hold no read (nor start for one) keep no process alive, and end after a quiet spell.
    for (const r of readers) (r.jobs || (!r.ready && queue.length > 0) ? r.worker.ref() : r.worker.unref());
    clearTimeout(idle);
    if (queue.length === 0 && readers.every((r) => r.jobs === null) && readers.length > 0) {
      idle = setTimeout(() => void stopAll(), IDLE_MS);
      idle.unref();
    }
  };

  const stopAll = async () => {
    const stopping = readers.splice(0);
    await Promise.all(stopping.map((r) => r.worker.terminate()));
  };

  /**
   * Queues a read; the queue goes to the threads at the end of this turn, so the reads a
   * caller asks together (a chart's series, Promise.all) go together.
   */
  const ask = <T>(call: ReaderCall, take: (answer: ReaderAnswer) => T) =>
    new Promise<T>((resolve, reject) => {
      if (closed) return reject(coded(HISTORY_READERS_CLOSED, "history: the database connection is not open (the hub is shutting down)"));
      queue.push({ call, take, resolve: resolve as (value: unknown) => void, reject });
      if (!dispatching) queueMicrotask(dispatch);
      dispatching = true;
    });
  const value = <T>(call: ReaderCall) => ask(call, (answer) => answer.value as T);

  return {
    readSeries: (q, into) => ask({ op: "series", q }, (answer) => replaySeries(answer, into)),
    query: (q) => collectSeries((into) => ask({ op: "series", q }, (answer) => replaySeries(answer, into))),
    readRawChunk: (q, into) => ask({ op: "rawChunk", q }, (answer) => replayRawChunk(answer, into)),
    readRaw: (q) =>
      ask({ op: "raw", q }, (answer) => {
        const readings: { t: number; v: number }[] = [];
        replayRawChunk(answer, (t, v) => readings.push({ t, v }));
        return readings;
      }),
    countRaw: (q) => value<number>({ op: "countRaw", q }),
    topics: () => value<StoredTopic[]>({ op: "topics" }),
    latest: () => value<LatestReading[]>({ op: "latest" }),
    size: () => value<StoreSize>({ op: "size" }),
    threads: () => ({ started: readers.length, ready: readers.filter((r) => r.ready).length, requests }),
    async close() {
      closed = true;
      clearTimeout(idle);
      const error = coded(HISTORY_READERS_CLOSED, "history: the database connection is not open (the hub is shutting down)");
      failQueued(error);
      for (const r of readers) for (const job of r.jobs ?? []) job.reject(error);
      await stopAll();
    },
  };
}

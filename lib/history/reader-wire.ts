// What the web thread and its history reader threads (broker/history-readers.ts) say to
// each other. The web thread hands a free thread every read waiting for one (up to a
// batch: a chart's 20 series are one message and one reply, not 20 round trips, issue 13
// item 9), with the thread's number buffer. The thread runs the reads one after another on
// its own read-only connection, writes their rows into that buffer as numbers, and sends
// it back, transferred, not copied, with where each answer's numbers lie. The web thread
// hands each answer's numbers to its caller's sink at once, in the reply's handler, then
// keeps the buffer for the thread's next request: a day's export moves one 80 KB buffer
// back and forth instead of leaving 350 of them for two GCs (issue 13's export memory),
// and no object per row exists on either side. Pure: no threads here.
import type { HistoryQuery, HistoryReads, RawChunk, RawCursor, RawQuery, RawSink, SeriesHead, SeriesSink } from "./store";

/** Every read fails with this while the database cannot be opened (a missing or unreadable file). */
export const HISTORY_UNREADABLE = "history-unreadable";
/** A reader thread that died with reads in hand (or before it started) fails them with this; the next read starts another. */
export const HISTORY_READER_FAILED = "history-reader-failed";
/** A read asked after the readers closed, or waiting when they did. */
export const HISTORY_READERS_CLOSED = "history-closed";

export type ReaderCall =
  | { op: "series"; q: HistoryQuery }
  | { op: "rawChunk"; q: RawQuery & { after: RawCursor | null } }
  | { op: "raw"; q: RawQuery }
  | { op: "countRaw"; q: RawQuery }
  | { op: "topics" }
  | { op: "latest" }
  | { op: "size" };

/** A request: reads to run in order, and the buffer their numbers go into (null: the thread makes one). */
export type ReaderRequest = { calls: ReaderCall[]; buffer: ArrayBuffer | null };

/**
 * One read's answer. `numbers`: a series' points as (t, v, min, max) fours, or raw readings
 * as (t, v) pairs; on the wire only `span`, where they lie in the reply's buffer.
 */
export type ReaderAnswer = { value?: unknown; head?: SeriesHead | null; numbers?: Float64Array; span?: [start: number, end: number]; next?: RawCursor | null };
export type WireError = { name: string; message: string; code?: string };
export type ReaderReply = { ok: true; answer: ReaderAnswer } | { ok: false; error: WireError };
/** A thread has one request in hand at a time, so replies need no id: one per call, in order. */
export type ReaderReplies = { replies: ReaderReply[]; buffer: ArrayBuffer };

/** The most calls in one request: a chart of MAX_SERIES (request.ts) fits in one. */
export const MAX_BATCH = 32;

/** Numbers written into a Float64Array that grows (by doubling) when a read needs more room. */
export type NumberBuffer = ReturnType<typeof numberBuffer>;
export function numberBuffer(given: ArrayBuffer | null, first = 1024) {
  let buf = given !== null && given.byteLength >= 8 ? new Float64Array(given) : new Float64Array(first);
  let at = 0;
  const room = (n: number) => {
    if (at + n <= buf.length) return;
    const bigger = new Float64Array(Math.max(2 * buf.length, at + n));
    bigger.set(buf.subarray(0, at));
    buf = bigger;
  };
  return {
    /** Makes room for `n` more numbers at once, so a read of known size grows the buffer once at most. */
    reserve: room,
    // Two and four arguments, not a rest parameter: no array per row.
    push2(a: number, b: number) {
      room(2);
      buf[at++] = a;
      buf[at++] = b;
    },
    push4(a: number, b: number, c: number, d: number) {
      room(4);
      buf[at++] = a;
      buf[at++] = b;
      buf[at++] = c;
      buf[at++] = d;
    },
    at: () => at,
    /** Forgets what was written from `to` on (a read that failed part-way). */
    truncate(to: number) {
      at = to;
    },
    buffer: () => buf.buffer as ArrayBuffer,
  };
}

/** The reader thread's half: runs one call on `reads`, its numbers appended to `out`. */
export async function answerCall(reads: HistoryReads, call: ReaderCall, out: NumberBuffer): Promise<ReaderAnswer> {
  const start = out.at();
  const span = (): [number, number] => [start, out.at()];
  switch (call.op) {
    case "series": {
      let head: SeriesHead | null = null;
      out.reserve(4 * Math.min(call.q.maxPoints, 2048));
      await reads.readSeries(call.q, { head: (h) => void (head = h), point: (t, v, min, max) => out.push4(t, v, min, max) });
      return { head, span: span() };
    }
    case "rawChunk": {
      out.reserve(2 * Math.min(call.q.limit, 16_384));
      const { next } = await reads.readRawChunk(call.q, (t, v) => out.push2(t, v));
      return { span: span(), next };
    }
    case "raw":
      for (const { t, v } of await reads.readRaw(call.q)) out.push2(t, v);
      return { span: span() };
    case "countRaw":
      return { value: await reads.countRaw(call.q) };
    case "topics":
      return { value: await reads.topics() };
    case "latest":
      return { value: await reads.latest() };
    case "size":
      return { value: await reads.size() };
  }
}

/** The web thread's view of an answer's numbers in the reply's buffer; valid only until the buffer goes back to the thread. */
export function withNumbers(answer: ReaderAnswer, buffer: ArrayBuffer): ReaderAnswer {
  if (answer.span === undefined) return answer;
  const [start, end] = answer.span;
  return { ...answer, numbers: new Float64Array(buffer, start * 8, end - start) };
}

/** The web thread's half for a series: the head, then each point, into the caller's sink. */
export function replaySeries({ head, numbers }: ReaderAnswer, into: SeriesSink): void {
  if (!head) throw new Error("history: a reader thread's series came without its head");
  into.head(head);
  const n = numbers ?? new Float64Array(0);
  for (let i = 0; i + 3 < n.length; i += 4) into.point(n[i], n[i + 1], n[i + 2], n[i + 3]);
}

/** The web thread's half for a raw chunk: each reading into the sink, and where the next chunk starts. */
export function replayRawChunk({ numbers, next }: ReaderAnswer, into: RawSink): RawChunk {
  const n = numbers ?? new Float64Array(0);
  for (let i = 0; i + 1 < n.length; i += 2) into(n[i], n[i + 1]);
  return { count: n.length / 2, next: next ?? null };
}

/** An error as it crosses a thread: its class (for RangeError), message and code kept. */
export function toWire(error: unknown): WireError {
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message, code: (e as { code?: string }).code };
}

export function fromWire({ name, message, code }: WireError): Error {
  const error = name === "RangeError" ? new RangeError(message) : name === "TypeError" ? new TypeError(message) : new Error(message);
  return code === undefined ? error : Object.assign(error, { code });
}

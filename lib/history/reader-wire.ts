// What the web thread and its history reader threads (broker/history-readers.ts) say to
// each other: one request, one reply. A reader thread runs the query on its own read-only
// connection and sends the rows back as one Float64Array, transferred, not copied: a
// 5,000-row export chunk is 80 KB moved with no object per row on either side (issue 13's
// export memory), and the web thread hands the numbers to the caller's sink as the
// on-thread reader did. Pure: no threads here, so both halves are tested together.
import type { HistoryReads, RawChunk, RawCursor, RawQuery, SeriesHead, SeriesSink, RawSink, HistoryQuery } from "./store";

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

/** `numbers`: a series' points as (t, v, min, max) fours, or raw readings as (t, v) pairs. */
export type ReaderAnswer = { value?: unknown; head?: SeriesHead | null; numbers?: Float64Array<ArrayBuffer>; next?: RawCursor | null };
export type WireError = { name: string; message: string; code?: string };
/** A thread has one request in hand at a time, so a reply needs no id. */
export type ReaderReply = { ok: true; answer: ReaderAnswer } | { ok: false; error: WireError };

/** Numbers appended one at a time into a Float64Array that doubles as it fills. */
function numberBuffer(first = 1024) {
  let buf = new Float64Array(first);
  let at = 0;
  return {
    push(...ns: number[]) {
      if (at + ns.length > buf.length) {
        const bigger = new Float64Array(Math.max(2 * buf.length, at + ns.length));
        bigger.set(buf.subarray(0, at));
        buf = bigger;
      }
      for (const n of ns) buf[at++] = n;
    },
    /** A copy of exactly the numbers written, whose buffer can be transferred. */
    take: () => buf.slice(0, at),
  };
}

/** The reader thread's half: runs one call on `reads`. The numbers' buffer is for the transfer list. */
export async function answerCall(reads: HistoryReads, call: ReaderCall): Promise<ReaderAnswer> {
  switch (call.op) {
    case "series": {
      const out = numberBuffer();
      let head: SeriesHead | null = null;
      await reads.readSeries(call.q, { head: (h) => void (head = h), point: (t, v, min, max) => out.push(t, v, min, max) });
      return { head, numbers: out.take() };
    }
    case "rawChunk":
    case "raw": {
      const out = numberBuffer();
      const into: RawSink = (t, v) => out.push(t, v);
      if (call.op === "rawChunk") {
        const { next } = await reads.readRawChunk(call.q, into);
        return { numbers: out.take(), next };
      }
      for (const { t, v } of await reads.readRaw(call.q)) into(t, v);
      return { numbers: out.take() };
    }
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

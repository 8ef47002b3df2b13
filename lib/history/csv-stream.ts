// Exports as streams: rows are written as they are read, a chunk at a time, so a day of
// twenty sensors (1.7 M rows, ~86 MB of CSV) never sits in memory and never holds the
// web thread for more than one chunk's query. The stream is pulled: the next chunk is
// read only when the client has taken the last one (backpressure through the hub's
// proxy to the socket), and a client that goes away cancels it, which ends the reads.
// The CSV's content is csv.ts's (csv-bytes.ts writes its raw rows as bytes); this file only cuts it into chunks.
import { setImmediate as nextTurn } from "node:timers/promises";
import { createRawCsvWriter } from "./csv-bytes";
import { csvHeader, seriesToCsv } from "./csv";
import type { HistoryReads, HistorySeries, RawCursor } from "./store";

/** Rows per query: ~250 KB of CSV and a few ms of SQLite, so other requests run between chunks. */
export const CHUNK_ROWS = 5000;

/** A CSV piece without its header line: every chunk after the first. */
const withoutHeader = (csv: string) => csv.slice(csv.indexOf("\r\n") + 2);

type Pieces = string | readonly Uint8Array[];

/**
 * Pulls `next` until it answers null; each answer is written as one chunk of one or more pieces.
 * Once `signal` aborts (the request's: its client went away) no further `next` is asked.
 */
function pulledStream(next: () => Pieces | null | Promise<Pieces | null>, signal?: AbortSignal): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        await nextTurn(); // a turn for every other request between two chunks
        if (signal?.aborted) return controller.error(signal.reason);
        const answer = await next();
        if (answer === null) controller.close();
        else if (typeof answer === "string") controller.enqueue(encoder.encode(answer));
        else for (const piece of answer) controller.enqueue(piece);
      },
    },
    // The next query waits until the client has taken every piece of the last one.
    { highWaterMark: 1 },
  );
}

export type RawExport = {
  topics: readonly { topic: string; unit: string }[];
  from: number;
  to: number;
  /** The most rows the file holds. */
  maxRows: number;
  /** Named in the header-only file when the range holds nothing. */
  filter: string;
  /** The time zone the file's times are written in (csv-time.ts). */
  zone: string;
  /** The request's: when it aborts, no further chunk is read. */
  signal?: AbortSignal;
};

/**
 * The raw readings of every topic, one after another, under one header. Each query's rows
 * go from SQLite's arrays straight into byte pieces (csv-bytes.ts): no object, string or
 * encoding per row, so a day's export leaves next to no garbage for the web thread's GC.
 */
export function rawCsvStream(reads: Pick<HistoryReads, "readRawChunk">, job: RawExport): ReadableStream<Uint8Array> {
  const { topics, from, to } = job;
  let index = 0;
  let after: RawCursor | null = null;
  let remaining = job.maxRows;
  let headerSent = false;
  const writerOf = (i: number) => (i < topics.length ? createRawCsvWriter(topics[i].topic, topics[i].unit, job.zone) : null);
  let writer = writerOf(0);
  const header = () => Buffer.from(`${csvHeader("raw", job.zone)}\r\n`);
  return pulledStream(async () => {
    while (writer !== null && remaining > 0) {
      const { topic } = topics[index];
      const { count, next } = await reads.readRawChunk({ topic, from, to, limit: Math.min(CHUNK_ROWS, remaining), after }, writer.row);
      remaining -= count;
      after = next;
      const pieces = writer.take();
      if (next === null) writer = writerOf(++index);
      if (count === 0) continue;
      if (!headerSent) pieces.unshift(header());
      headerSent = true;
      return pieces;
    }
    if (headerSent) return null;
    headerSent = true;
    return [header()];
  }, job.signal);
}

/** A chart's series, one query and one chunk per series, under one header. */
export function seriesCsvStream(
  topics: readonly string[],
  query: (topic: string) => Promise<HistorySeries>,
  zone: string,
  signal?: AbortSignal,
): ReadableStream<Uint8Array> {
  let index = 0;
  return pulledStream(async () => {
    if (index > 0 && index >= topics.length) return null;
    const csv = seriesToCsv(index < topics.length ? [await query(topics[index])] : [], zone);
    return index++ === 0 ? csv : withoutHeader(csv);
  }, signal);
}

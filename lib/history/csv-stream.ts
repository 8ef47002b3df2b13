// Exports as streams: rows are written as they are read, a chunk at a time, so a day of
// twenty sensors (1.7 M rows, ~86 MB of CSV) never sits in memory and never holds the
// web thread for more than one chunk's query. The stream is pulled: the next chunk is
// read only when the client has taken the last one (backpressure through the hub's
// proxy to the socket), and a client that goes away cancels it, which ends the reads.
// The CSV's content is csv.ts's; this file only cuts it into chunks.
import { setImmediate as nextTurn } from "node:timers/promises";
import { csvHeader, rawRows, seriesToCsv } from "./csv";
import type { HistoryReads, HistorySeries, RawCursor } from "./store";

/** Rows per query: ~250 KB of CSV and a few ms of SQLite, so other requests run between chunks. */
export const CHUNK_ROWS = 5000;
/**
 * Rows per string: each piece is made and encoded on its own, so none is larger than
 * V8's large-object threshold (128 KB; 500 rows of ~90 characters, two bytes each at
 * worst). A larger string is allocated outside the young generation and lives until a
 * full GC: a 24 h export (86 MB) left ~100 MB of such garbage on the web thread's heap.
 */
export const PIECE_ROWS = 500;

/** A CSV piece without its header line: every chunk after the first. */
const withoutHeader = (csv: string) => csv.slice(csv.indexOf("\r\n") + 2);

/** Pulls `next` until it answers null; each answer is written as one chunk of one or more pieces. */
function pulledStream(next: () => string | string[] | null | Promise<string | string[] | null>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        await nextTurn(); // a turn for every other request between two chunks
        const text = await next();
        if (text === null) controller.close();
        else for (const piece of Array.isArray(text) ? text : [text]) controller.enqueue(encoder.encode(piece));
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
};

/** The raw readings of every topic, one after another, under one header. */
export function rawCsvStream(reads: Pick<HistoryReads, "readRawChunk">, job: RawExport): ReadableStream<Uint8Array> {
  const { topics, from, to } = job;
  let index = 0;
  let after: RawCursor | null = null;
  let remaining = job.maxRows;
  let headerSent = false;
  return pulledStream(async () => {
    while (index < topics.length && remaining > 0) {
      const { topic, unit } = topics[index];
      const { readings, next } = await reads.readRawChunk({ topic, from, to, limit: Math.min(CHUNK_ROWS, remaining), after });
      remaining -= readings.length;
      after = next;
      if (next === null) index++;
      if (readings.length === 0) continue;
      const pieces: string[] = headerSent ? [] : [`${csvHeader("raw", job.zone)}\r\n`];
      for (let i = 0; i < readings.length; i += PIECE_ROWS) pieces.push(rawRows(topic, unit, readings.slice(i, i + PIECE_ROWS), job.zone));
      headerSent = true;
      return pieces;
    }
    if (headerSent) return null;
    headerSent = true;
    return `${csvHeader("raw", job.zone)}\r\n`;
  });
}

/** A chart's series, one query and one chunk per series, under one header. */
export function seriesCsvStream(
  topics: readonly string[],
  query: (topic: string) => Promise<HistorySeries>,
  zone: string,
): ReadableStream<Uint8Array> {
  let index = 0;
  return pulledStream(async () => {
    if (index > 0 && index >= topics.length) return null;
    const csv = seriesToCsv(index < topics.length ? [await query(topics[index])] : [], zone);
    return index++ === 0 ? csv : withoutHeader(csv);
  });
}

// The charts' answer (`/api/history/series`) written as UTF-8 JSON straight into one Buffer as
// the store reads it: no object per point, no JSON string, no second copy for the encoding
// (issue 13: three readers of 30-day charts beside a day's export made the garbage that grew
// the web thread's old generation, and took a process-wide V8 flag to keep it under 50 MB).
// The bytes are JSON.stringify's of `{ series: HistorySeries[], serverNow }`, exactly: the
// same keys in the same order, numbers as String writes them (number-bytes.ts), null for what
// is not a finite number, strings through JSON.stringify itself (series-json.test.ts).
import { NUMBER_BYTES, writeNumber } from "./number-bytes";
import type { SeriesHead, SeriesSink } from "./store";

/** The answer's first bytes: the answer of one chart of twenty sensors fits (40 KB). */
const FIRST_BYTES = 64 * 1024;
/** The widest point: `,{"t":…,"v":…,"min":…,"max":…}`. */
const POINT_BYTES = 28 + 4 * NUMBER_BYTES;
/** A head's bytes besides its topic and unit: keys, three numbers and the tier. */
const HEAD_BYTES = 80 + 3 * NUMBER_BYTES;

export type SeriesJson = SeriesSink & {
  /** The whole answer: every series handed in, in order, and the hub's clock. */
  finish(serverNow: number): Buffer<ArrayBuffer>;
};

export function createSeriesJson(firstBytes = FIRST_BYTES): SeriesJson {
  let buf: Buffer<ArrayBuffer> = Buffer.allocUnsafeSlow(firstBytes);
  let at = 0;
  /** 0: no series yet; 1: a series open, no point yet; 2: a series open with points. */
  let state: 0 | 1 | 2 = 0;
  let buckets = false;

  const room = (bytes: number) => {
    if (at + bytes <= buf.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(2 * buf.length, at + bytes));
    buf.copy(bigger, 0, 0, at);
    buf = bigger;
  };
  const ascii = (text: string) => {
    at += buf.write(text, at, "latin1");
  };
  /** What JSON.stringify writes for a number: null when it is not finite. */
  const number = (n: number) => {
    if (typeof n === "number" && Number.isFinite(n)) at = writeNumber(buf, at, n);
    else ascii("null");
  };
  const string = (s: string) => {
    const json = JSON.stringify(s);
    room(3 * json.length);
    at += buf.write(json, at, "utf8");
  };
  const closeSeries = () => {
    if (state !== 0) ascii("]}");
  };

  room(16);
  ascii('{"series":[');
  return {
    head(head: SeriesHead) {
      room(HEAD_BYTES);
      closeSeries();
      ascii(state === 0 ? '{"topic":' : ',{"topic":');
      string(head.topic);
      room(HEAD_BYTES);
      ascii(',"unit":');
      string(head.unit);
      room(HEAD_BYTES);
      ascii(',"from":');
      number(head.from);
      ascii(',"to":');
      number(head.to);
      ascii(',"bucketMs":');
      number(head.bucketMs);
      ascii(',"tier":');
      string(head.tier);
      ascii(',"points":[');
      state = 1;
      // A raw point is { t, v }; a bucket's also has min and max (HistoryPoint).
      buckets = head.bucketMs !== 0;
    },
    point(t, v, min, max) {
      room(POINT_BYTES);
      ascii(state === 2 ? ',{"t":' : '{"t":');
      state = 2;
      number(t);
      ascii(',"v":');
      number(v);
      if (buckets) {
        ascii(',"min":');
        number(min);
        ascii(',"max":');
        number(max);
      }
      buf[at++] = 125; // }
    },
    finish(serverNow) {
      room(NUMBER_BYTES + 32);
      closeSeries();
      ascii('],"serverNow":');
      number(serverNow);
      buf[at++] = 125; // }
      return buf.subarray(0, at);
    },
  };
}

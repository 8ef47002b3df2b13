// A raw export's rows written as UTF-8 straight into buffers, with no object or string
// per row (issue 13: a day of 20 sensors, 1.7 M rows, made ~1 GB of garbage on the web
// thread while each row was built as strings and then encoded, and keeping the export
// under 50 MB above idle took a process-wide V8 flag that slowed the broker's thread).
// The bytes are csv.ts's rawRow, exactly: times, integers and short decimals are written
// digit by digit; anything else (a value with many digits, a time outside the years
// 0000–9999) is written by rawRow itself, so a rare case never changes the file.
import { csvField, rawRow } from "./csv";
import { createZonedIso, createZoneOffset, offsetSuffix } from "./csv-time";

/** One piece of the file: a few hundred rows, written to the socket as one chunk. */
export const PIECE_BYTES = 64 * 1024;

const DAY_MS = 86_400_000;
/** 10000-01-01T00:00:00Z: below it, toISOString writes the year in four digits. */
const YEAR_10000_MS = 253_402_300_800_000;
/**
 * The widest fast row besides its topic and unit fields: time 29 ("…T00:00:00.000+05:30"),
 * comma, timestamp 16 (a safe integer), value 25 (String's widest: "-0.000001234567890123456").
 */
const FAST_ROW_BYTES = 29 + 1 + 16 + 25;
/** Decimals tried before a value is left to String(v). */
const MAX_DECIMALS = 6;
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6];
/** Scaled values below this are exact doubles with at most one integer within 1/4 of them (see decimalsOf). */
const EXACT_BELOW = 2 ** 49;
const [ZERO, MINUS, DOT, COLON, COMMA] = [48, 45, 46, 58, 44];

export type RawCsvWriter = {
  /** Writes one reading's row. */
  row(t: number, v: number): void;
  /** The rows written since the last take, in pieces of at most `pieceBytes` (unless one row is longer). */
  take(): Buffer[];
};

/**
 * How many decimals `v` is written with, when JavaScript writes it in fixed notation with
 * at most MAX_DECIMALS of them; 0 otherwise. Number::toString writes the fewest digits that
 * read back as `v`. With m = round(v·10^d): m/10^d is exact division of exact doubles, so it
 * equals `v` exactly when the decimal m·10^-d reads back as `v`; below EXACT_BELOW at most one
 * m can, so the first d that does is the shortest, and the one toString writes.
 */
export function decimalsOf(v: number): number {
  for (let d = 1; d <= MAX_DECIMALS; d++) {
    const m = Math.round(v * POW10[d]);
    if (Math.abs(m) >= EXACT_BELOW) return 0;
    if (m / POW10[d] === v) return d;
  }
  return 0;
}

export function createRawCsvWriter(topic: string, unit: string, zone: string, pieceBytes = PIECE_BYTES): RawCsvWriter {
  const iso = createZonedIso(zone);
  const offsetOf = createZoneOffset(zone);
  const mid = Buffer.from(`,${csvField(topic)},`);
  const tail = Buffer.from(`,${csvField(unit)}\r\n`);
  const fastRowBytes = FAST_ROW_BYTES + mid.length + tail.length;
  const NONE = Buffer.alloc(0);
  let pieces: Buffer[] = [];
  let buf = NONE;
  let at = 0;
  // The date part of the last day written ("2026-11-30T"), and the last offset's suffix.
  const date = Buffer.alloc(11);
  let day = Number.NaN;
  let offset = Number.NaN;
  let suffix = NONE;

  /** A piece handed out is never written again: the socket may still hold it. */
  const seal = () => {
    if (at > 0) pieces.push(buf.subarray(0, at));
    buf = NONE;
    at = 0;
  };
  const room = (bytes: number) => {
    if (at + bytes <= buf.length) return;
    seal();
    buf = Buffer.allocUnsafeSlow(Math.max(pieceBytes, bytes));
  };
  const copy = (from: Buffer) => {
    for (let i = 0; i < from.length; i++) buf[at++] = from[i];
  };
  const digits = (n: number, width: number) => {
    for (let i = at + width - 1; i >= at; i--) {
      buf[i] = ZERO + (n % 10);
      n = Math.floor(n / 10);
    }
    at += width;
  };
  /** A safe integer as String writes it (-0 as "0"). */
  const integer = (n: number) => {
    if (n < 0) {
      buf[at++] = MINUS;
      n = -n;
    }
    let width = 1;
    for (let p = 10; p <= n; p *= 10) width++;
    digits(n, width);
  };
  const value = (v: number) => {
    if (Number.isSafeInteger(v)) return integer(v);
    const d = decimalsOf(v);
    if (d === 0) {
      at += buf.write(String(v), at, "latin1"); // digits, ".", "-", "e", "+": ASCII
      return;
    }
    const m = Math.abs(Math.round(v * POW10[d]));
    if (v < 0) buf[at++] = MINUS;
    integer(Math.floor(m / POW10[d]));
    buf[at++] = DOT;
    digits(m % POW10[d], d);
  };
  /** Epoch ms shifted into the zone, as toISOString writes it without its "Z". */
  const time = (local: number) => {
    const d = Math.floor(local / DAY_MS);
    if (d !== day) {
      day = d;
      date.write(new Date(d * DAY_MS).toISOString().slice(0, 11), "latin1");
    }
    copy(date);
    const ms = local - d * DAY_MS;
    digits(Math.floor(ms / 3_600_000), 2);
    buf[at++] = COLON;
    digits(Math.floor(ms / 60_000) % 60, 2);
    buf[at++] = COLON;
    digits(Math.floor(ms / 1000) % 60, 2);
    buf[at++] = DOT;
    digits(ms % 1000, 3);
  };

  return {
    row(t, v) {
      const shift = typeof t === "number" && Number.isSafeInteger(t) && t >= 0 ? offsetOf(t) : Number.NaN;
      const local = t + shift;
      if (!(local >= 0 && local < YEAR_10000_MS) || typeof v !== "number") {
        const line = rawRow(iso, topic, unit, t, v);
        room(Buffer.byteLength(line));
        at += buf.write(line, at);
        return;
      }
      room(fastRowBytes);
      time(local);
      if (shift !== offset) {
        offset = shift;
        suffix = Buffer.from(offsetSuffix(zone, shift));
      }
      copy(suffix);
      buf[at++] = COMMA;
      integer(t);
      copy(mid);
      value(v);
      copy(tail);
    },
    take() {
      seal();
      const out = pieces;
      pieces = [];
      return out;
    },
  };
}

// A raw export's rows written as UTF-8 straight into buffers, with no object or string
// per row (issue 13: a day of 20 sensors, 1.7 M rows, made ~1 GB of garbage on the web
// thread while each row was built as strings and then encoded, and keeping the export
// under 50 MB above idle took a process-wide V8 flag that slowed the broker's thread).
// The bytes are csv.ts's rawRow, exactly: times, integers and short decimals are written
// digit by digit (number-bytes.ts); anything else (a value with many digits, a time outside the years
// 0000–9999) is written by rawRow itself, so a rare case never changes the file.
import { csvField, rawRow } from "./csv";
import { createZonedIso, createZoneOffset, offsetSuffix } from "./csv-time";
import { NUMBER_BYTES, writeDigits, writeInteger, writeNumber } from "./number-bytes";

/** One piece of the file: a few hundred rows, written to the socket as one chunk. */
export const PIECE_BYTES = 64 * 1024;

const DAY_MS = 86_400_000;
/** 10000-01-01T00:00:00Z: below it, toISOString writes the year in four digits. */
const YEAR_10000_MS = 253_402_300_800_000;
/**
 * The widest fast row besides its topic and unit fields: time 29 ("…T00:00:00.000+05:30"),
 * comma, timestamp 16 (a safe integer), value (String's widest).
 */
const FAST_ROW_BYTES = 29 + 1 + 16 + NUMBER_BYTES;
const [DOT, COLON, COMMA] = [46, 58, 44];

export type RawCsvWriter = {
  /** Writes one reading's row. */
  row(t: number, v: number): void;
  /** The rows written since the last take, in pieces of at most `pieceBytes` (unless one row is longer). */
  take(): Buffer[];
};

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
    at = writeDigits(buf, at, n, width);
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
      at = writeInteger(buf, at, t);
      copy(mid);
      at = writeNumber(buf, at, v);
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

// Numbers written as ASCII straight into a Buffer, exactly as String(n) writes them, with no
// string made for the common ones: integers and decimals of up to six places. Shared by the
// raw export's rows (csv-bytes.ts) and the charts' JSON (series-json.ts), the two history
// answers that are large enough for their garbage to matter (issue 13). Each writer takes the
// offset to write at and returns the offset after what it wrote; the caller has made room.

/** The widest number String writes: "-0.000001234567890123456" and "-1.7976931348623157e+308" are 24. */
export const NUMBER_BYTES = 25;

/** Decimals tried before a value is left to String(v). */
const MAX_DECIMALS = 6;
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6];
/** Scaled values below this are exact doubles with at most one integer within 1/4 of them (see decimalsOf). */
const EXACT_BELOW = 2 ** 49;
const [ZERO, MINUS, DOT] = [48, 45, 46];

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

/** A non-negative integer below 2^53 in exactly `width` digits, zeros in front. */
export function writeDigits(buf: Buffer, at: number, n: number, width: number): number {
  for (let i = at + width - 1; i >= at; i--) {
    buf[i] = ZERO + (n % 10);
    n = Math.floor(n / 10);
  }
  return at + width;
}

/** A safe integer as String writes it (-0 as "0"). */
export function writeInteger(buf: Buffer, at: number, n: number): number {
  if (n < 0) {
    buf[at++] = MINUS;
    n = -n;
  }
  let width = 1;
  for (let p = 10; p <= n; p *= 10) width++;
  return writeDigits(buf, at, n, width);
}

/** A finite number as String writes it: digit by digit when it can, else String's own bytes. */
export function writeNumber(buf: Buffer, at: number, v: number): number {
  if (Number.isSafeInteger(v)) return writeInteger(buf, at, v);
  const d = decimalsOf(v);
  if (d === 0) return at + buf.write(String(v), at, "latin1"); // digits, ".", "-", "e", "+": ASCII
  const m = Math.abs(Math.round(v * POW10[d]));
  if (v < 0) buf[at++] = MINUS;
  at = writeInteger(buf, at, Math.floor(m / POW10[d]));
  buf[at++] = DOT;
  return writeDigits(buf, at, m % POW10[d], d);
}

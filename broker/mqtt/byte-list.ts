// The bytes mqtt-packet's parser has read and not yet parsed, kept without garbage.
// The parser (issue 12: mqtt-packet is the wire format, no hand-written codec) keeps
// them in a `bl` BufferList and reads every header byte, length and field through it;
// bl answers each readUInt8 / readUInt16BE with a slice (a new Buffer, and an array for
// the offset), each consume() with another slice of the first chunk, and each string
// with a slice it then decodes: about 1 KB of garbage per PUBLISH on the broker's
// thread, the largest item in its allocation profile (bench/README.md, "Issue 12, sixth
// pass"). ByteList has the methods parser.js calls on its list — append, length,
// readUInt8/16BE/32BE, slice, toString, consume — with bl's results, read in place: a
// read within the first chunk (packets seldom straddle two reads) allocates nothing,
// consume() moves an offset, a string is decoded from the chunk itself. What spans two
// chunks is copied, as bl does; a payload is a view of the chunk, as with bl.
import { parser as createParser } from "mqtt-packet";

export class ByteList {
  /** Unparsed bytes: chunks[0] from `head` on, then the later chunks whole. */
  private chunks: Buffer[] = [];
  private head = 0;
  length = 0;

  append(chunk: Uint8Array): this {
    if (chunk.length === 0) return this;
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.length += chunk.length;
    return this;
  }

  /** Drops the first `bytes` (bl: truncated; nothing for NaN or ≤ 0; everything past the end). */
  consume(bytes: number): this {
    let n = Math.trunc(bytes);
    if (Number.isNaN(n) || n <= 0) return this;
    while (this.chunks.length > 0) {
      const left = this.chunks[0].length - this.head;
      if (n < left) {
        this.head += n;
        this.length -= n;
        break;
      }
      n -= left;
      this.length -= left;
      this.chunks.shift();
      this.head = 0;
    }
    return this;
  }

  readUInt8(offset = 0): number {
    const first = this.chunks[0];
    const at = this.head + offset;
    if (first !== undefined && offset >= 0 && at < first.length) return first[at];
    return this.slice(offset, offset + 1).readUInt8(0);
  }

  readUInt16BE(offset = 0): number {
    const first = this.chunks[0];
    const at = this.head + offset;
    if (first !== undefined && offset >= 0 && at + 2 <= first.length) return first.readUInt16BE(at);
    return this.slice(offset, offset + 2).readUInt16BE(0);
  }

  readUInt32BE(offset = 0): number {
    const first = this.chunks[0];
    const at = this.head + offset;
    if (first !== undefined && offset >= 0 && at + 4 <= first.length) return first.readUInt32BE(at);
    return this.slice(offset, offset + 4).readUInt32BE(0);
  }

  toString(encoding: BufferEncoding = "utf8", start = 0, end = this.length): string {
    const first = this.chunks[0];
    if (first !== undefined && start >= 0 && start <= end && this.head + end <= first.length) return first.toString(encoding, this.head + start, this.head + end);
    return this.slice(start, end).toString(encoding);
  }

  /**
   * Bytes [start, end) as bl gives them (negative offsets count from the end; `end` past
   * the end stops there): a view of the chunk that holds them all, else a copy.
   */
  slice(start = 0, end = this.length): Buffer {
    if (start < 0) start += this.length;
    if (end < 0) end += this.length;
    if (start < 0) start = 0;
    if (end > this.length) end = this.length;
    if (start >= this.length || end <= start) return Buffer.alloc(0);
    let i = 0;
    let at = this.head + start;
    while (at >= this.chunks[i].length) at -= this.chunks[i++].length;
    const len = end - start;
    if (at + len <= this.chunks[i].length) return this.chunks[i].subarray(at, at + len);
    const out = Buffer.allocUnsafe(len);
    for (let filled = 0; filled < len; i++, at = 0) {
      filled += this.chunks[i].copy(out, filled, at, Math.min(this.chunks[i].length, at + len - filled));
    }
    return out;
  }
}

type Parser = ReturnType<typeof createParser>;
/** What ByteList stands in for: the parser's list, set anew by _resetState (at start, and after an error). */
type ParserInternals = { _list: unknown; _resetState(): void };

/** mqtt-packet's parser with a ByteList for its bytes; its own list if this version keeps them elsewhere. */
export function createPacketParser(): Parser {
  const parser = createParser();
  const internals = parser as unknown as Partial<ParserInternals>;
  const reset = internals._resetState;
  if (typeof reset !== "function" || !("_list" in internals)) return parser;
  internals._resetState = function (this: ParserInternals) {
    reset.call(this);
    this._list = new ByteList();
  };
  internals._list = new ByteList();
  return parser;
}

// Reads MQTT fixed headers off a byte stream as it arrives, before the broker's
// parser buffers anything: a length field declaring more than the limit, or one
// longer than MQTT's four bytes (§2.2.3), ends the connection at the header,
// without waiting for (and holding) the megabytes it promises. It also knows where
// each packet ends (type byte + remaining length), so a connection can hand its parser
// a few packets' bytes at a time (fair-reads.ts) instead of a whole read's.
export type ScanProblem = { code: "packet-too-large" | "malformed-length"; message: string };

export type PacketScanner = {
  /** Scans a whole chunk: the first problem, or null. */
  feed(chunk: Uint8Array): ScanProblem | null;
  /**
   * Scans `chunk` from `from` until `maxPackets` packets have ended or the chunk has,
   * and returns the offset it stopped at: right after the last packet's end when the
   * count was reached. `ended` tells how many packets ended in this scan; `problem` is
   * set (and stays set) once a header is refused.
   */
  scan(chunk: Uint8Array, from: number, maxPackets: number): number;
  readonly ended: number;
  readonly problem: ScanProblem | null;
};

export function createPacketScanner(maxPacketBytes: number): PacketScanner {
  let state: "type" | "length" | "body" = "type";
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let remaining = 0;
  let ended = 0;
  let failed: ScanProblem | null = null;

  const scan = (chunk: Uint8Array, from: number, maxPackets: number): number => {
    ended = 0;
    if (failed) return from;
    let i = from;
    while (i < chunk.length && ended < maxPackets) {
      if (state === "body") {
        const take = Math.min(remaining, chunk.length - i);
        remaining -= take;
        i += take;
        if (remaining === 0) {
          state = "type";
          ended++;
        }
        continue;
      }
      const byte = chunk[i++];
      if (state === "type") {
        state = "length";
        length = 0;
        multiplier = 1;
        lengthBytes = 0;
        continue;
      }
      length += (byte & 0x7f) * multiplier;
      multiplier *= 128;
      lengthBytes += 1;
      if (byte & 0x80) {
        if (lengthBytes === 4) {
          failed = { code: "malformed-length", message: "the remaining-length field runs past four bytes" };
          return i;
        }
        continue;
      }
      if (length + 1 + lengthBytes > maxPacketBytes) {
        failed = { code: "packet-too-large", message: `a packet of ${length} bytes; the limit is ${maxPacketBytes}` };
        return i;
      }
      remaining = length;
      if (remaining > 0) state = "body";
      else {
        state = "type";
        ended++;
      }
    }
    return i;
  };

  return {
    feed(chunk) {
      scan(chunk, 0, Infinity);
      return failed;
    },
    scan,
    get ended() {
      return ended;
    },
    get problem() {
      return failed;
    },
  };
}

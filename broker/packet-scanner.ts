// Reads MQTT fixed headers off a byte stream as it arrives, before the broker's
// parser buffers anything: a length field declaring more than the limit, or one
// longer than MQTT's four bytes (§2.2.3), ends the connection at the header,
// without waiting for (and holding) the megabytes it promises.
export type ScanProblem = { code: "packet-too-large" | "malformed-length"; message: string };

export type PacketScanner = { feed(chunk: Uint8Array): ScanProblem | null };

export function createPacketScanner(maxPacketBytes: number): PacketScanner {
  let state: "type" | "length" | "body" = "type";
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let remaining = 0;
  let failed: ScanProblem | null = null;

  return {
    feed(chunk) {
      if (failed) return failed;
      let i = 0;
      while (i < chunk.length) {
        if (state === "body") {
          const take = Math.min(remaining, chunk.length - i);
          remaining -= take;
          i += take;
          if (remaining === 0) state = "type";
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
            return failed;
          }
          continue;
        }
        if (length + 1 + lengthBytes > maxPacketBytes) {
          failed = { code: "packet-too-large", message: `a packet of ${length} bytes; the limit is ${maxPacketBytes}` };
          return failed;
        }
        remaining = length;
        state = remaining === 0 ? "type" : "body";
      }
      return null;
    },
  };
}

// Packets to bytes with mqtt-packet's own writer (no hand-written codec), minus the
// cost of its generate(): that builds an EventEmitter per packet to collect the
// pieces. Here one reusable sink collects them and one buffer is cut from the pool.
// A PUBLISH that goes unchanged to many subscribers is encoded once (see lastPublish).
import { writeToStream, type Packet } from "mqtt-packet";

const chunks: (Buffer | string)[] = [];
let bytes = 0;
const sink = {
  write(chunk: Buffer | string): boolean {
    chunks.push(chunk);
    bytes += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
    return true;
  },
  // writeToStream reports a packet it cannot encode by destroying the stream.
  destroy(error?: Error): void {
    throw error ?? new Error("mqtt-packet could not encode the packet");
  },
};

const options = [undefined, undefined, undefined, { protocolVersion: 3 }, { protocolVersion: 4 }, { protocolVersion: 5 }] as const;

/** The packet's bytes; throws if mqtt-packet refuses it. */
export function encode(packet: Packet, protocolVersion: 3 | 4 | 5): Buffer {
  chunks.length = 0;
  bytes = 0;
  try {
    writeToStream(packet, sink as unknown as NodeJS.WritableStream, options[protocolVersion]);
    const out = Buffer.allocUnsafe(bytes);
    let at = 0;
    for (const chunk of chunks) at += typeof chunk === "string" ? out.write(chunk, at) : chunk.copy(out, at);
    return out;
  } finally {
    chunks.length = 0;
  }
}

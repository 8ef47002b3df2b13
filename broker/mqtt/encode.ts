// Packets to bytes with mqtt-packet's own writer (no hand-written codec), minus the
// cost of its generate(): that builds an EventEmitter per packet to collect the
// pieces. Here one reusable sink collects them and one buffer is cut from the pool.
// A PUBLISH that goes unchanged to many subscribers is encoded once (encodeForSubscribers).
import { writeToStream, type Packet, type QoS } from "mqtt-packet";
import type { StoredMessage } from "./store";

const chunks: (Buffer | string)[] = [];
let count = 0;
let bytes = 0;
const sink = {
  write(chunk: Buffer | string): boolean {
    chunks[count++] = chunk;
    bytes += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
    return true;
  },
  // writeToStream reports a packet it cannot encode by destroying the stream.
  destroy(error?: Error): void {
    throw error ?? new Error("mqtt-packet could not encode the packet");
  },
};

// mqtt-packet otherwise builds, at the first packet, a cache of 65,536 two-byte Buffers
// (every uint16 it might write: lengths, packet ids): 6 MB of the broker thread's heap
// for as long as the hub runs, which its major GCs mark every time (issue 12's memory
// budget; bench/tools/device-memory.ts). Without it a number is a 2-byte slice of Node's
// pool, copied into the packet's one buffer below at once. Its README's own switch.
writeToStream.cacheNumbers = false;

const EMPTY = Buffer.alloc(0);
const options = [undefined, undefined, undefined, { protocolVersion: 3 }, { protocolVersion: 4 }, { protocolVersion: 5 }] as const;

/** The packet's bytes; throws if mqtt-packet refuses it. */
export function encode(packet: Packet, protocolVersion: 3 | 4 | 5): Buffer {
  count = 0;
  bytes = 0;
  writeToStream(packet, sink as unknown as NodeJS.WritableStream, options[protocolVersion]);
  const out = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const chunk = chunks[i];
    at += typeof chunk === "string" ? out.write(chunk, at) : chunk.copy(out, at);
    chunks[i] = EMPTY; // the payload is not held on to
  }
  return out;
}

/** The PUBLISH last encoded for subscribers; its copies differ at most in the packet id. */
const last = { message: null as StoredMessage | null, version: 0, qos: 0 as QoS, bytes: Buffer.alloc(0) as Buffer, idAt: 0 };

/**
 * A PUBLISH of `m` as every subscriber of `version` and `qos` gets it when nothing is
 * per-subscriber but the packet id (no alias, no subscription id, no expiry to count
 * down): encoded once, then shared (QoS 0) or copied with the id written in (QoS 1/2).
 * The first subscriber's bytes are the encoding itself: they are never written to again.
 */
export function encodeForSubscribers(m: StoredMessage, version: 3 | 4 | 5, qos: QoS, packetId: number | null): Buffer {
  if (last.message !== m || last.version !== version || last.qos !== qos) {
    const properties = version === 5 ? m.properties : undefined;
    last.bytes = encode({ cmd: "publish", topic: m.topic, payload: m.payload, qos, retain: m.retain, dup: false, messageId: packetId ?? undefined, properties }, version);
    last.message = m;
    last.version = version;
    last.qos = qos;
    // Fixed header byte, Remaining Length (1-4 bytes), topic length and topic: then the id.
    let at = 1;
    while (last.bytes[at] & 0x80) at++;
    last.idAt = at + 1 + 2 + Buffer.byteLength(m.topic);
    return last.bytes;
  }
  if (qos === 0) return last.bytes;
  const copy = Buffer.allocUnsafe(last.bytes.length);
  last.bytes.copy(copy);
  copy.writeUInt16BE(packetId!, last.idAt);
  return copy;
}

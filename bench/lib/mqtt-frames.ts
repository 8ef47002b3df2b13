// Cuts a byte stream into MQTT control packets without parsing them into objects: the
// load generator's read path (loadgen-child.ts), which must cost far less per message
// than the broker it measures. Only what the generator needs is read: the type, the
// flags, and a PUBLISH's packet id.

export type Frame = { type: number; flags: number; body: Buffer };

/**
 * Hands every whole packet in `buf` to `onFrame`; returns the bytes of an incomplete last
 * one (to prepend to the next chunk), or null. The remaining length is 1–4 bytes of 7 bits,
 * least significant first [MQTT-2.2.3].
 */
export function cutFrames(buf: Buffer, onFrame: (frame: Frame) => void): Buffer | null {
  let at = 0;
  while (at < buf.length) {
    let length = 0;
    let shift = 0;
    let i = at + 1;
    for (;;) {
      if (i >= buf.length) return buf.subarray(at);
      const byte = buf[i++];
      length += (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7;
      if (shift > 21) throw new Error("malformed remaining length");
    }
    if (i + length > buf.length) return buf.subarray(at);
    onFrame({ type: buf[at] >> 4, flags: buf[at] & 0x0f, body: buf.subarray(i, i + length) });
    at = i + length;
  }
  return null;
}

/** A PUBLISH's QoS and packet id (none at QoS 0) [MQTT-3.3.2-2]. */
export function frameInfo(frame: Frame): { qos: number; packetId?: number } {
  const qos = (frame.flags >> 1) & 3;
  if (qos === 0) return { qos };
  const topicLength = frame.body.readUInt16BE(0);
  return { qos, packetId: frame.body.readUInt16BE(2 + topicLength) };
}

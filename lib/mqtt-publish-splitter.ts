// The page's fast path for incoming readings. The browser's MQTT client (mqtt.js)
// takes each WebSocket frame through a Node stream shim: a promise, a Buffer copy,
// a readable-stream pipe, the packet parser, and a setTimeout(0) task for every
// frame holding more than one packet. At a thousand readings a second that was most
// of the page's script time outside React (bench/README.md, "dashboard under load").
// This splitter takes the QoS 0 PUBLISH packets — everything the hub sends a page,
// whose subscriptions are all QoS 0 — out of each frame and hands them over at once;
// every other packet (CONNACK, SUBACK, PUBACK, PINGRESP, a QoS 1 or 2 PUBLISH, and
// anything it cannot read) goes on to mqtt.js, in order, whole.
//
// MQTT 3.1.1 only (a PUBLISH has no properties): the page connects with protocol 4.

/** Called for each QoS 0 PUBLISH: `payload` is a view into the frame, valid as long as it is held. */
export type OnPublish = (topic: string, payload: Uint8Array, retained: boolean) => void;

/**
 * Takes one WebSocket frame's bytes, calls `onPublish` for each complete QoS 0 PUBLISH,
 * and returns the other complete packets' bytes, in order, for mqtt.js (null when
 * there are none). A packet cut across frames waits for the rest. After bytes it
 * cannot frame it passes everything through untouched, and mqtt.js reports the error.
 */
export type PublishSplitter = (frame: Uint8Array, onPublish: OnPublish) => Uint8Array | null;

const PUBLISH = 3;
const topicDecoder = new TextDecoder("utf-8", { fatal: true });

export function createPublishSplitter(): PublishSplitter {
  /** The start of a packet the last frame cut off. */
  let partial: Uint8Array | null = null;
  let passThrough = false;

  return (frame, onPublish) => {
    if (passThrough) return frame;
    const data = partial ? concat(partial, frame) : frame;
    partial = null;
    const others: Uint8Array[] = [];
    let at = 0;
    while (at < data.length) {
      const header = readFixedHeader(data, at);
      if (header === "incomplete") {
        partial = data.slice(at);
        break;
      }
      if (header === "malformed") {
        passThrough = true;
        others.push(data.subarray(at));
        break;
      }
      const { bodyStart, end } = header;
      const first = data[at];
      const publish = first >> 4 === PUBLISH && (first & 0b0110) === 0 ? readPublish(data, bodyStart, end) : null;
      if (publish) onPublish(publish.topic, publish.payload, (first & 1) === 1);
      else others.push(data.subarray(at, end));
      at = end;
    }
    if (others.length === 0) return null;
    return others.length === 1 ? others[0] : concat(...others);
  };
}

/** A packet's body start and end, from its type byte and variable-length remaining length. */
function readFixedHeader(data: Uint8Array, at: number): { bodyStart: number; end: number } | "incomplete" | "malformed" {
  let length = 0;
  for (let i = 0; i < 4; i++) {
    const index = at + 1 + i;
    if (index >= data.length) return "incomplete";
    const byte = data[index];
    length += (byte & 0x7f) * 128 ** i;
    if ((byte & 0x80) === 0) {
      const bodyStart = index + 1;
      const end = bodyStart + length;
      return end > data.length ? "incomplete" : { bodyStart, end };
    }
  }
  return "malformed";
}

/** A QoS 0 PUBLISH body: a length-prefixed UTF-8 topic, then the payload. Null when unreadable. */
function readPublish(data: Uint8Array, start: number, end: number): { topic: string; payload: Uint8Array } | null {
  if (end - start < 2) return null;
  const topicEnd = start + 2 + ((data[start] << 8) | data[start + 1]);
  if (topicEnd > end) return null;
  let topic: string;
  try {
    topic = topicDecoder.decode(data.subarray(start + 2, topicEnd));
  } catch {
    return null;
  }
  return { topic, payload: data.subarray(topicEnd, end) };
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * A browser WebSocket for mqtt.js's `createWebsocket` option whose QoS 0 PUBLISH
 * packets go straight to `onPublish`; mqtt.js's own "message" listener gets the rest
 * of each frame, or is not called when nothing is left.
 */
export function splittingWebSocket(url: string, protocols: string[], onPublish: OnPublish): WebSocket {
  const socket = new WebSocket(url, protocols);
  const split = createPublishSplitter();
  const listen = socket.addEventListener.bind(socket);
  // mqtt.js adds one "message" listener to each socket it creates; it is wrapped here
  // rather than the socket being subclassed, so everything else is the real WebSocket.
  socket.addEventListener = ((type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions) => {
    if (type !== "message" || typeof listener !== "function") return listen(type, listener, options);
    listen(
      "message",
      (event: MessageEvent) => {
        // mqtt.js sets binaryType "arraybuffer" before any frame arrives; anything else is left to it.
        if (!(event.data instanceof ArrayBuffer)) return listener(event);
        const rest = split(new Uint8Array(event.data), onPublish);
        if (!rest) return;
        const whole = rest.byteOffset === 0 && rest.byteLength === rest.buffer.byteLength;
        listener({ data: whole ? rest.buffer : rest.slice().buffer } as MessageEvent);
      },
      options,
    );
  }) as WebSocket["addEventListener"];
  return socket;
}

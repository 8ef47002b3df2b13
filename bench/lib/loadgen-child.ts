// One process of the multi-process load generator (loadgen.ts forks it, bundled, with
// plain node). It runs some QoS 1 pairs — a publisher and its subscriber on a topic of
// their own — over raw TCP sockets: every packet it sends is encoded by mqtt-packet
// (PUBLISHes once, as templates whose packet id is patched), and what it reads is only
// framed (type, flags, packet id), not parsed into objects. So a message costs this side a
// few microseconds, far less than any broker's, and the broker, not the generator, is the
// limit. Bounded: its own deadline, and it exits when the parent goes away.
import { connect as tcpConnect, type Socket } from "node:net";
import mqttPacket from "mqtt-packet";
import { cutFrames, frameInfo, type Frame } from "./mqtt-frames";

export type ChildFlow = {
  port: number;
  /** The lanes this process runs: their index (topic) and publishes each. */
  lanes: { index: number; quota: number }[];
  /** Messages a lane may have in flight (sent, not yet delivered and acknowledged); Infinity for a burst. */
  window: number;
  deadlineMs: number;
  tag: string;
};

export type ChildReport = {
  delivered: number;
  acked: number;
  expected: number;
  /** Wall-clock ms (performance.timeOrigin based), comparable across processes. */
  startedAt: number;
  lastAt: number;
  timedOut: boolean;
  /** This process's CPU time during the timed part, ms. */
  cpuMs: number;
};

type ToChild = { type: "flow"; flow: ChildFlow } | { type: "go" };
type FromChild = { type: "ready" } | { type: "done"; report: ChildReport } | { type: "error"; message: string };

const PAYLOADS = Array.from({ length: 100 }, (_, i) => Buffer.from((15 + i / 10).toFixed(1)));
/** Publishes written per turn of the event loop in a burst, so acknowledgements are read meanwhile. */
const CHUNK = 200;
const CONNECT_TIMEOUT_MS = 10_000;
const READ_BUFFER = 64 * 1024;

const send = (message: FromChild) => process.send?.(message);
const now = () => performance.timeOrigin + performance.now();

/**
 * A socket with its frames handed to `onFrame` as they arrive, and `onRead` called after
 * each read's frames (to answer them in one write). Reads go into one buffer per socket
 * (net's `onread`), not a new Buffer and a stream event each: the generator's read path.
 */
function open(port: number, clientId: string, onFrame: (frame: Frame) => void, onRead: () => void = () => {}): Promise<Socket> {
  return new Promise((resolve, reject) => {
    let rest: Buffer | null = null;
    let connected = false;
    const timer = setTimeout(() => reject(new Error(`${clientId}: no CONNACK in ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    const frame = (f: Frame) => {
      if (connected || f.type !== 2) return onFrame(f);
      connected = true;
      clearTimeout(timer);
      // CONNACK return code [MQTT-3.2.2-3]: anything but 0 refuses the connection.
      if (f.body[1] !== 0) reject(new Error(`${clientId}: CONNACK ${f.body[1]}`));
      else resolve(socket);
    };
    const socket = tcpConnect({
      port,
      host: "127.0.0.1",
      noDelay: true,
      onread: {
        buffer: Buffer.allocUnsafe(READ_BUFFER),
        callback: (n: number, buffer: Uint8Array) => {
          const chunk = Buffer.from(buffer.buffer, buffer.byteOffset, n);
          const left = cutFrames(rest ? Buffer.concat([rest, chunk]) : chunk, frame);
          // The read buffer is reused: an incomplete packet's bytes are copied out.
          rest = left ? Buffer.from(left) : null;
          onRead();
          return true;
        },
      },
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.write(mqttPacket.generate({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clean: true, clientId, keepalive: 60 }));
  });
}

type Lane = {
  topic: string;
  quota: number;
  sent: number;
  delivered: number;
  acked: number;
  pub: Socket;
  sub: Socket;
  /** PUBLISH templates (one per payload) and where their packet id sits. */
  templates: { bytes: Buffer; idAt: number }[];
};

function templates(topic: string) {
  return PAYLOADS.map((payload) => {
    const bytes = mqttPacket.generate({ cmd: "publish", topic, payload, qos: 1, dup: false, retain: false, messageId: 1 });
    return { bytes, idAt: bytes.length - payload.length - 2 };
  });
}

/** Packet ids 1..65535 [MQTT-2.3.1-1]: non-zero. In flight stays far below the range. */
const packetId = (n: number) => (n % 65535) + 1;

/** Writes up to `count` publishes of a lane in one socket write. */
function publishSome(lane: Lane, count: number) {
  let size = 0;
  for (let i = 0; i < count; i++) size += lane.templates[(lane.sent + i) % lane.templates.length].bytes.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const t = lane.templates[lane.sent % lane.templates.length];
    t.bytes.copy(out, at);
    out.writeUInt16BE(packetId(lane.sent), at + t.idAt);
    at += t.bytes.length;
    lane.sent++;
  }
  lane.pub.write(out);
}

async function setUp(flow: ChildFlow, onDelivery: (lane: Lane) => void, onAck: (lane: Lane) => void): Promise<Lane[]> {
  const lanes: Lane[] = [];
  for (const { index, quota } of flow.lanes) {
    const topic = `home/bench-qos1-pairs-${index}/temperature`;
    const lane = { topic, quota, sent: 0, delivered: 0, acked: 0, templates: templates(topic) } as Lane;
    let subscribed: () => void = () => {};
    const acks: number[] = [];
    lane.sub = await open(
      flow.port,
      `${flow.tag}-sub-${index}`,
      (frame) => {
        if (frame.type === 3) {
          const { packetId: id } = frameInfo(frame);
          if (id !== undefined) acks.push(id);
          onDelivery(lane);
        } else if (frame.type === 9) subscribed();
      },
      // A read's QoS 1 deliveries are acknowledged [MQTT-4.3.2-2] in one write.
      () => {
        if (acks.length > 0) lane.sub.write(pubacks(acks));
        acks.length = 0;
      },
    );
    await new Promise<void>((resolve) => {
      subscribed = resolve;
      lane.sub.write(mqttPacket.generate({ cmd: "subscribe", messageId: 1, subscriptions: [{ topic, qos: 1 }] }));
    });
    lane.pub = await open(flow.port, `${flow.tag}-pub-${index}`, (frame) => {
      if (frame.type === 4) onAck(lane);
    });
    lanes.push(lane);
  }
  return lanes;
}

const PUBACK = mqttPacket.generate({ cmd: "puback", messageId: 1 });
/** PUBACKs for these packet ids, back to back: mqtt-packet's encoding with the id patched. */
function pubacks(ids: readonly number[]): Buffer {
  const out = Buffer.allocUnsafe(PUBACK.length * ids.length);
  for (let i = 0; i < ids.length; i++) {
    PUBACK.copy(out, i * PUBACK.length);
    out.writeUInt16BE(ids[i], i * PUBACK.length + PUBACK.length - 2);
  }
  return out;
}

function pump(lanes: Lane[], flow: ChildFlow, ready: () => void): Promise<ChildReport> {
  const expected = lanes.reduce((n, l) => n + l.quota, 0);
  let delivered = 0;
  let acked = 0;
  let startedAt = 0;
  let lastAt = 0;
  let cpuAtStart = process.cpuUsage();
  return new Promise((resolve) => {
    let settled = false;
    let deadline: NodeJS.Timeout | undefined;
    const finish = (timedOut: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      const cpu = process.cpuUsage(cpuAtStart);
      resolve({ delivered, acked, expected, startedAt, lastAt, timedOut, cpuMs: (cpu.user + cpu.system) / 1000 });
    };
    const scheduled = new Set<Lane>();
    const room = (l: Lane) => Math.min(l.quota - l.sent, flow.window - (l.sent - Math.min(l.delivered, l.acked)), CHUNK);
    const fill = (l: Lane) => {
      scheduled.delete(l);
      if (settled) return;
      const n = room(l);
      if (n > 0) publishSome(l, n);
      // A burst: more after the event loop has read what arrived.
      if (room(l) > 0 && !scheduled.has(l)) {
        scheduled.add(l);
        setImmediate(() => fill(l));
      }
    };
    const progress = (l: Lane) => {
      lastAt = now();
      if (delivered >= expected && acked >= expected) finish(false);
      else if (!scheduled.has(l) && room(l) > 0) {
        // Refill after this turn's reads, so a lane's freed slots go out in one write.
        scheduled.add(l);
        setImmediate(() => fill(l));
      }
    };
    lanesHandlers.delivery = (l) => {
      l.delivered++;
      delivered++;
      progress(l);
    };
    lanesHandlers.ack = (l) => {
      l.acked++;
      acked++;
      progress(l);
    };
    lanesHandlers.go = () => {
      startedAt = lastAt = now();
      cpuAtStart = process.cpuUsage();
      deadline = setTimeout(() => finish(true), flow.deadlineMs);
      for (const l of lanes) fill(l);
    };
    ready();
  });
}

// Set by pump; the socket handlers made in setUp call them.
const lanesHandlers: { delivery: (l: Lane) => void; ack: (l: Lane) => void; go: () => void } = {
  delivery: () => {},
  ack: () => {},
  go: () => {},
};

async function closeAll(lanes: Lane[]) {
  const disconnect = mqttPacket.generate({ cmd: "disconnect" });
  await Promise.all(
    lanes.flatMap((l) => [l.pub, l.sub]).map(
      (socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.end(disconnect, () => resolve()))),
    ),
  );
}

async function runChild(flow: ChildFlow) {
  // A hard bound of its own, whatever the parent does.
  setTimeout(() => process.exit(3), flow.deadlineMs + 30_000).unref();
  const lanes = await setUp(
    flow,
    (l) => lanesHandlers.delivery(l),
    (l) => lanesHandlers.ack(l),
  );
  const report = await pump(lanes, flow, () => send({ type: "ready" }));
  await closeAll(lanes);
  send({ type: "done", report });
}

process.on("disconnect", () => process.exit(0));
process.on("message", (message: ToChild) => {
  if (message.type === "go") lanesHandlers.go();
  else if (message.type === "flow") {
    runChild(message.flow).catch((error: Error) => {
      send({ type: "error", message: error.message });
      process.exit(1);
    });
  }
});

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

const send = (message: FromChild) => process.send?.(message);
const now = () => performance.timeOrigin + performance.now();

/** A socket with its frames handed to `onFrame` as they arrive. */
function open(port: number, clientId: string, onFrame: (frame: Frame) => void): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ port, host: "127.0.0.1", noDelay: true });
    let rest: Buffer | null = null;
    const timer = setTimeout(() => reject(new Error(`${clientId}: no CONNACK in ${CONNECT_TIMEOUT_MS} ms`)), CONNECT_TIMEOUT_MS);
    let connected = false;
    socket.on("data", (chunk: Buffer) => {
      // What a read answers (PUBACKs to a subscriber's deliveries) leaves in one write.
      socket.cork();
      rest = cutFrames(rest ? Buffer.concat([rest, chunk]) : chunk, (frame) => {
        if (!connected && frame.type === 2) {
          connected = true;
          clearTimeout(timer);
          // CONNACK return code [MQTT-3.2.2-3]: anything but 0 refuses the connection.
          if (frame.body[1] !== 0) reject(new Error(`${clientId}: CONNACK ${frame.body[1]}`));
          else resolve(socket);
        } else onFrame(frame);
      });
      socket.uncork();
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
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const t = lane.templates[lane.sent % lane.templates.length];
    const bytes = Buffer.from(t.bytes);
    bytes.writeUInt16BE(packetId(lane.sent), t.idAt);
    parts.push(bytes);
    lane.sent++;
  }
  lane.pub.write(parts.length === 1 ? parts[0] : Buffer.concat(parts));
}

async function setUp(flow: ChildFlow, onDelivery: (lane: Lane) => void, onAck: (lane: Lane) => void): Promise<Lane[]> {
  const lanes: Lane[] = [];
  for (const { index, quota } of flow.lanes) {
    const topic = `home/bench-qos1-pairs-${index}/temperature`;
    const lane = { topic, quota, sent: 0, delivered: 0, acked: 0, templates: templates(topic) } as Lane;
    let subscribed: () => void = () => {};
    lane.sub = await open(flow.port, `${flow.tag}-sub-${index}`, (frame) => {
      if (frame.type === 3) {
        // A QoS 1 delivery: acknowledge it [MQTT-4.3.2-2], batched per read by the socket's cork.
        const { packetId: id } = frameInfo(frame);
        if (id !== undefined) lane.sub.write(pubackOf(id));
        onDelivery(lane);
      } else if (frame.type === 9) subscribed();
    });
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

const PUBACKS = new Map<number, Buffer>();
function pubackOf(id: number): Buffer {
  let bytes = PUBACKS.get(id);
  if (!bytes) PUBACKS.set(id, (bytes = mqttPacket.generate({ cmd: "puback", messageId: id })));
  return bytes;
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

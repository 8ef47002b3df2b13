// The load generator for broker throughput: publishers and subscribers over TCP
// (mqtt.js), in "lanes" of one publisher each. A lane keeps at most `window`
// publishes not yet delivered to all its subscribers (steady), or sends as fast as
// its socket takes them (burst, window Infinity). Every run is bounded by a count
// and a deadline, and reports what was delivered by then.
import type { Socket } from "node:net";
import mqtt, { type MqttClient } from "mqtt";
import type { QoS } from "mqtt-packet";

export type Pattern = "fan-in" | "fan-out" | "qos1-pairs";

export type FlowSpec = {
  pattern: Pattern;
  /** Publishes in total, over all lanes. */
  messages: number;
  /** Publishes a lane may have in flight; Infinity for a burst. */
  window: number;
  deadlineMs: number;
  /**
   * What is published: plain numbers (`21.5`, the default) or Hearth's JSON reading
   * (`{"value":21.5,"unit":"°C"}`), which the hub decodes and parses as JSON too.
   */
  payload?: PayloadKind;
};

export type PayloadKind = "number" | "json";

export type FlowResult = {
  /** Messages received by subscribers (a fan-out publish counts once per subscriber). */
  delivered: number;
  expected: number;
  /** From the first publish to the last delivery. */
  elapsedMs: number;
  timedOut: boolean;
};

const FAN_IN_PUBLISHERS = 10;
const FAN_OUT_SUBSCRIBERS = 50;
const QOS1_PAIRS = 10;
/** Publishes per turn of the event loop, so deliveries are read while a burst is sent. */
const CHUNK = 200;
const CONNECT_TIMEOUT_MS = 10_000;

type Lane = {
  client: MqttClient;
  topic: string;
  quota: number;
  sent: number;
  received: number;
  /** Subscribers each publish reaches. */
  fan: number;
  qos: QoS;
};

const PAYLOADS: Record<PayloadKind, Buffer[]> = {
  number: Array.from({ length: 100 }, (_, i) => Buffer.from((15 + i / 10).toFixed(1))),
  json: Array.from({ length: 100 }, (_, i) => Buffer.from(`{"value":${(15 + i / 10).toFixed(1)},"unit":"°C"}`)),
};

let clientSeq = 0;

export async function connect(url: string, tag: string): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, {
    clientId: `bench-${tag}-${process.pid}-${++clientSeq}`,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: CONNECT_TIMEOUT_MS,
    keepalive: 60,
  });
  // Nagle's algorithm would hold a small publish back until the last one is acknowledged
  // (up to 40 ms on loopback): a latency of the load generator, not of the broker.
  (client.stream as Partial<Socket>).setNoDelay?.(true);
  return client;
}

/** Connects `count` clients, `parallel` at a time, so a broker is not hit by a storm of handshakes. */
export async function connectMany(url: string, tag: string, count: number, parallel = 25): Promise<MqttClient[]> {
  const clients: MqttClient[] = [];
  for (let i = 0; i < count; i += parallel) {
    const batch = await Promise.all(Array.from({ length: Math.min(parallel, count - i) }, () => connect(url, tag)));
    clients.push(...batch);
  }
  return clients;
}

export async function closeAll(clients: readonly MqttClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
}

/** Runs one flow against the broker at `url`: connect and subscribe, then the timed part, then close. */
export async function runFlow(url: string, spec: FlowSpec): Promise<FlowResult> {
  const clients: MqttClient[] = [];
  try {
    const lanes = await setUp(url, spec, clients);
    return await pumpLanes(lanes, spec);
  } finally {
    await closeAll(clients);
  }
}

async function setUp(url: string, spec: FlowSpec, clients: MqttClient[]): Promise<Lane[]> {
  // The same topics every run: a new topic makes the hub's dashboard page add a row and
  // fetch its history, work that belongs to the first run only.
  const run = `bench-${spec.pattern}`;
  const lanes: Lane[] = [];
  const subscribe = async (client: MqttClient, filter: string, qos: QoS) => {
    await client.subscribeAsync(filter, { qos });
  };
  if (spec.pattern === "fan-in") {
    const [sub] = await connectMany(url, "sub", 1);
    clients.push(sub);
    await subscribe(sub, "home/+/temperature", 0);
    const pubs = await connectMany(url, "pub", FAN_IN_PUBLISHERS);
    clients.push(...pubs);
    pubs.forEach((client, i) => lanes.push(lane(client, `home/${run}-${i}/temperature`, spec.messages, FAN_IN_PUBLISHERS, i, 1, 0)));
  } else if (spec.pattern === "fan-out") {
    const topic = `home/${run}/temperature`;
    const subs = await connectMany(url, "sub", FAN_OUT_SUBSCRIBERS);
    clients.push(...subs);
    await Promise.all(subs.map((s) => subscribe(s, topic, 0)));
    const [pub] = await connectMany(url, "pub", 1);
    clients.push(pub);
    // Messages count deliveries, so the publisher sends messages / 50.
    lanes.push(lane(pub, topic, Math.ceil(spec.messages / FAN_OUT_SUBSCRIBERS), 1, 0, FAN_OUT_SUBSCRIBERS, 0));
  } else {
    const subs = await connectMany(url, "sub", QOS1_PAIRS);
    const pubs = await connectMany(url, "pub", QOS1_PAIRS);
    clients.push(...subs, ...pubs);
    await Promise.all(subs.map((s, i) => subscribe(s, `home/${run}-${i}/temperature`, 1)));
    pubs.forEach((client, i) => lanes.push(lane(client, `home/${run}-${i}/temperature`, spec.messages, QOS1_PAIRS, i, 1, 1)));
  }
  const byTopic = new Map(lanes.map((l) => [l.topic, l]));
  const subscribers = clients.filter((c) => !lanes.some((l) => l.client === c));
  for (const sub of subscribers) {
    sub.on("message", (topic) => {
      const l = byTopic.get(topic);
      if (l) onDelivery(l);
    });
  }
  return lanes;
}

function lane(client: MqttClient, topic: string, total: number, of: number, index: number, fan: number, qos: QoS): Lane {
  // Spread the total over the lanes; the first lanes take the remainder.
  const quota = Math.floor(total / of) + (index < total % of ? 1 : 0);
  return { client, topic, quota, sent: 0, received: 0, fan, qos };
}

// Set per flow by pumpLanes; the message handlers above call it.
let onDelivery: (lane: Lane) => void = () => {};

function pumpLanes(lanes: Lane[], spec: FlowSpec): Promise<FlowResult> {
  const expected = lanes.reduce((n, l) => n + l.quota * l.fan, 0);
  let delivered = 0;
  const started = performance.now();
  let last = started;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (timedOut: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      onDelivery = () => {};
      resolve({ delivered, expected, elapsedMs: last - started, timedOut });
    };
    const deadline = setTimeout(() => finish(true), spec.deadlineMs);
    const scheduled = new Set<Lane>();

    const payloads = PAYLOADS[spec.payload ?? "number"];
    const pump = (l: Lane) => {
      scheduled.delete(l);
      if (settled) return;
      const acked = Math.floor(l.received / l.fan);
      let budget = CHUNK;
      while (l.sent < l.quota && l.sent - acked < spec.window && budget-- > 0) {
        l.client.publish(l.topic, payloads[l.sent % payloads.length], { qos: l.qos });
        l.sent++;
      }
      // More to send and room for it: continue after the event loop has read deliveries.
      if (l.sent < l.quota && l.sent - acked < spec.window && !scheduled.has(l)) {
        scheduled.add(l);
        setImmediate(() => pump(l));
      }
    };

    onDelivery = (l) => {
      l.received++;
      delivered++;
      last = performance.now();
      if (delivered >= expected) finish(false);
      else if (l.received % l.fan === 0 && !scheduled.has(l)) pump(l);
    };
    for (const l of lanes) pump(l);
  });
}

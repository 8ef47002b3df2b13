// The load the crash test (broker-crash.spec.ts) puts on the hub: persistent mqtt.js
// publishers (clean=false, MQTT 3.1.1 and 5 with a session expiry) that keep going
// through a SIGKILL and a restart, resending what was in flight as MQTT requires, and
// a record of which messages the hub ACKNOWLEDGED (a PUBACK or PUBREC received): the
// messages the hub promised to keep.
import Database from "better-sqlite3";
import mqtt, { type MqttClient } from "mqtt";
import path from "node:path";

export type Kind = "reading" | "retained" | "queued";

/** Message i of a publisher: a reading, a retained state, or a message for the sleeping session, in turn. */
export function messageAt(name: string, i: number): { kind: Kind; topic: string; payload: string; retain: boolean } {
  const kind = (["reading", "retained", "queued"] as const)[i % 3];
  const topic =
    kind === "reading" ? `home/crash_${name}/temperature` : kind === "retained" ? `crash/retained/${name}/${i % 4}` : `crash/queue/${name}`;
  return { kind, topic, payload: String(i), retain: kind === "retained" };
}

/** Messages a publisher keeps in flight at once. */
const WINDOW = 16;

export class Publisher {
  readonly client: MqttClient;
  /** Messages published so far (0 … published-1). */
  published = 0;
  /** Which messages the hub acknowledged, by index. */
  readonly acked = new Set<number>();
  /** Messages whose publish has completed (PUBACK, or PUBCOMP for QoS 2). */
  completed = 0;
  private target = 0;
  private readonly byPacketId = new Map<number, number>();
  private wake: (() => void) | null = null;
  private onAck: ((p: Publisher) => void) | null = null;

  constructor(
    readonly name: string,
    url: string,
    readonly protocolVersion: 4 | 5,
    readonly qos: 1 | 2,
  ) {
    this.client = mqtt.connect(url, {
      clientId: `crash-${name}`,
      clean: false,
      protocolVersion,
      ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 600 } } : {}),
      // Back as soon as the hub is: mqtt.js then resends what was in flight ([MQTT-4.4.0-1]).
      reconnectPeriod: 100,
      connectTimeout: 2000,
      keepalive: 10,
    });
    // Refused connections while the hub is down are expected; they are not the test's subject.
    this.client.on("error", () => {});
    this.client.on("packetsend", (packet) => {
      if (packet.cmd === "publish" && packet.messageId !== undefined) this.byPacketId.set(packet.messageId, Number(packet.payload));
    });
    this.client.on("packetreceive", (packet) => {
      // An MQTT 5 acknowledgement with a reason code of 0x80 or above is a refusal, not a promise.
      const refused = "reasonCode" in packet && (packet.reasonCode ?? 0) >= 0x80;
      if ((packet.cmd === "puback" || packet.cmd === "pubrec") && packet.messageId !== undefined && !refused) {
        const i = this.byPacketId.get(packet.messageId);
        if (i !== undefined) this.acked.add(i);
        this.onAck?.(this);
      }
    });
    this.client.on("connect", () => this.poke());
  }

  /** Publishes until `count` more messages are out, at most WINDOW in flight, only while connected. */
  publishMore(count: number, onAck?: (p: Publisher) => void): void {
    this.target += count;
    this.onAck = onAck ?? null;
    void this.run();
  }

  private async run(): Promise<void> {
    if (this.wake) return this.poke();
    while (this.published < this.target) {
      if (!this.client.connected || this.published - this.completed >= WINDOW) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      const i = this.published++;
      const m = messageAt(this.name, i);
      this.client.publish(m.topic, m.payload, { qos: this.qos, retain: m.retain }, () => {
        this.completed++;
        this.poke();
      });
    }
  }

  private poke(): void {
    this.wake?.();
  }

  /** Every message out and completed: nothing left for the hub to acknowledge. */
  get idle(): boolean {
    return this.published === this.target && this.completed === this.target;
  }

  /** Messages published and not acknowledged (yet): what is in flight. */
  unacked(): number[] {
    return Array.from({ length: this.published }, (_, i) => i).filter((i) => !this.acked.has(i));
  }

  /** The last acknowledged message of each retained topic. */
  lastAckedRetained(): Map<string, number> {
    const last = new Map<string, number>();
    for (const i of [...this.acked].sort((a, b) => a - b)) {
      const m = messageAt(this.name, i);
      if (m.kind === "retained") last.set(m.topic, i);
    }
    return last;
  }

  async end(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** History as the dashboard would read it, straight from the file (read-only, beside the running hub). */
export function historyRows(dataDir: string): { topic: string; value: number; count: number }[] {
  const db = new Database(path.join(dataDir, "history.sqlite"), { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare(
        `SELECT t.topic AS topic, r.value AS value, count(*) AS count
           FROM readings r JOIN topics t ON t.id = r.topic_id
          WHERE t.topic LIKE 'home/crash%' OR t.topic LIKE 'crash/%'
          GROUP BY t.topic, r.value`,
      )
      .all() as { topic: string; value: number; count: number }[];
  } finally {
    db.close();
  }
}

/** mulberry32: a tiny seeded PRNG, so a seed names one run's kill points exactly. */
export function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

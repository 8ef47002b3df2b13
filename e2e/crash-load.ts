// The load the crash test (broker-crash.spec.ts) puts on the hub: persistent publishers
// (clean=false, MQTT 3.1.1 and 5 with a session expiry) that keep going through a
// SIGKILL and a restart, resending what was in flight as MQTT requires, and an exact
// record of which messages the hub ACKNOWLEDGED (a PUBACK, or a PUBREC for QoS 2): the
// messages the hub promised to keep.
//
// The publisher speaks MQTT itself (net + mqtt-packet) rather than through mqtt.js: a
// test of "acknowledged means stored" must know which message each acknowledgement was
// for, and mqtt.js 5 hides that. A publish made while it resends its stored messages
// after a reconnect waits in a queue, and a connection lost then (the next kill) fails
// it with "Connection closed": it is never sent, and the only sign is the callback's
// error. Here a message is in flight from its first PUBLISH until its PUBACK / PUBCOMP,
// every in-flight message is resent on every new connection, and no packet id is used
// twice in a run, so an acknowledgement names exactly one message.
import Database from "better-sqlite3";
import { generate, parser as createParser, type Packet } from "mqtt-packet";
import { connect as tcpConnect, type Socket } from "node:net";
import path from "node:path";

export type Kind = "reading" | "retained" | "queued";

/** Message i of a publisher: a reading, a retained state, or a message for the sleeping session, in turn. */
export function messageAt(name: string, i: number): { kind: Kind; topic: string; payload: string; retain: boolean } {
  const kind = (["reading", "retained", "queued"] as const)[i % 3];
  const topic =
    kind === "reading" ? `home/crash_${name}/temperature` : kind === "retained" ? `crash/retained/${name}/${i % 4}` : `crash/queue/${name}`;
  return { kind, topic, payload: String(i), retain: kind === "retained" };
}

/** Messages a publisher keeps in flight at once (well under the hub's receive maximum). */
const WINDOW = 16;
/** Seconds of keep alive asked for; a PINGREQ goes out at half of it (or of the hub's Server Keep Alive). */
const KEEP_ALIVE = 10;
const RECONNECT_MS = 100;

/** A message sent and not yet complete: waiting for its PUBACK / PUBREC ("publish"), or for its PUBCOMP ("pubrel"). */
type Flight = { i: number; state: "publish" | "pubrel" };

export class Publisher {
  /** Messages published so far (0 … published-1). */
  published = 0;
  /** Which messages the hub acknowledged (PUBACK, or PUBREC for QoS 2), by index. */
  readonly acked = new Set<number>();
  /** Messages complete (PUBACK, or PUBCOMP for QoS 2). */
  completed = 0;
  /** What the hub did that it should not have: refusals, acknowledgements of nothing in flight, sessions forgotten. */
  readonly faults: string[] = [];
  private target = 0;
  private lastId = 0;
  /** In flight by packet id; a Map keeps publish order, which resends keep [MQTT-4.6.0-1]. */
  private readonly flights = new Map<number, Flight>();
  private socket: Socket | null = null;
  private connected = false;
  private hadSession = false;
  private ended = false;
  private ping: ReturnType<typeof setInterval> | undefined;
  private onAck: ((p: Publisher) => void) | null = null;

  constructor(
    readonly name: string,
    private readonly port: number,
    readonly protocolVersion: 4 | 5,
    readonly qos: 1 | 2,
  ) {
    this.open();
  }

  /** Publishes until `count` more messages are out, at most WINDOW in flight, only while connected. */
  publishMore(count: number, onAck?: (p: Publisher) => void): void {
    this.target += count;
    this.onAck = onAck ?? null;
    this.fill();
  }

  /** Every message out and complete: nothing left for the hub to acknowledge. */
  get idle(): boolean {
    return this.published === this.target && this.completed === this.target;
  }

  /** Messages sent and not acknowledged (no PUBACK / PUBREC yet): at a kill, the ones whose acknowledgement may have died with the hub. */
  awaitingAck(): number[] {
    return [...this.flights.values()].filter((f) => f.state === "publish").map((f) => f.i);
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
    this.ended = true;
    const socket = this.socket;
    if (!socket) return;
    if (this.connected) this.send({ cmd: "disconnect" });
    socket.end();
    await new Promise((resolve) => socket.once("close", resolve));
  }

  /** One connection; when it closes (the hub was killed), the next one RECONNECT_MS later. */
  private open(): void {
    const socket = tcpConnect({ host: "127.0.0.1", port: this.port, noDelay: true });
    this.socket = socket;
    const parser = createParser({ protocolVersion: this.protocolVersion });
    parser.on("packet", (packet) => this.receive(packet));
    parser.on("error", (error: Error) => {
      this.faults.push(`unreadable packet from the hub: ${error.message}`);
      socket.destroy();
    });
    socket.on("data", (chunk) => parser.parse(chunk));
    // Refused or reset while the hub is down: expected, and not the test's subject.
    socket.on("error", () => {});
    socket.once("connect", () =>
      this.send({
        cmd: "connect",
        clientId: `crash-${this.name}`,
        protocolVersion: this.protocolVersion,
        clean: false,
        keepalive: KEEP_ALIVE,
        ...(this.protocolVersion === 5 ? { properties: { sessionExpiryInterval: 600 } } : {}),
      }),
    );
    socket.once("close", () => {
      this.connected = false;
      this.socket = null;
      clearInterval(this.ping);
      if (!this.ended) setTimeout(() => this.open(), RECONNECT_MS);
    });
  }

  private receive(packet: Packet): void {
    switch (packet.cmd) {
      case "connack":
        return this.connack((packet.reasonCode ?? packet.returnCode ?? 0) === 0, packet.sessionPresent, packet.properties?.serverKeepAlive);
      case "puback":
      case "pubrec":
        return this.acknowledged(packet.cmd, packet.messageId!, packet.reasonCode ?? 0);
      case "pubcomp":
        return this.complete(packet.messageId!, "pubcomp", "pubrel");
      case "disconnect":
        this.faults.push(`DISCONNECT from the hub, reason ${packet.reasonCode}`);
        return;
    }
  }

  private connack(accepted: boolean, sessionPresent: boolean, serverKeepAlive: number | undefined): void {
    if (!accepted) {
      this.faults.push("CONNECT refused");
      this.socket?.destroy();
      return;
    }
    // The hub keeps a persistent session across a restart: one it forgot would also forget QoS 2 ids.
    if (this.hadSession && !sessionPresent) this.faults.push("session not present after a reconnect");
    this.hadSession = true;
    this.connected = true;
    this.ping = setInterval(() => this.send({ cmd: "pingreq" }), ((serverKeepAlive ?? KEEP_ALIVE) * 1000) / 2);
    // Everything in flight goes again, in order, under its own id: a PUBLISH not yet
    // acknowledged (DUP=1, [MQTT-3.3.1-1]), a PUBREL for one whose PUBREC came [MQTT-4.4.0-1].
    for (const [id, flight] of this.flights) {
      if (flight.state === "pubrel") this.send({ cmd: "pubrel", messageId: id });
      else this.sendPublish(id, flight.i, true);
    }
    this.fill();
  }

  /** A PUBACK or PUBREC: the hub's promise, unless its MQTT 5 reason code (0x80 or above) is a refusal. */
  private acknowledged(cmd: "puback" | "pubrec", id: number, reasonCode: number): void {
    const flight = this.flights.get(id);
    if (!flight || flight.state !== "publish" || (cmd === "pubrec") !== (this.qos === 2)) {
      this.faults.push(`${cmd} for packet id ${id}, which has no PUBLISH waiting for it`);
      return;
    }
    if (reasonCode >= 0x80) {
      this.faults.push(`message ${flight.i} refused with reason code 0x${reasonCode.toString(16)}`);
      this.complete(id, cmd, "publish");
      return;
    }
    this.acked.add(flight.i);
    if (cmd === "puback") this.complete(id, cmd, "publish");
    else {
      flight.state = "pubrel";
      this.send({ cmd: "pubrel", messageId: id });
    }
    this.onAck?.(this);
  }

  private complete(id: number, cmd: string, state: Flight["state"]): void {
    if (this.flights.get(id)?.state !== state) {
      this.faults.push(`${cmd} for packet id ${id}, which has no ${state.toUpperCase()} waiting for it`);
      return;
    }
    this.flights.delete(id);
    this.completed++;
    this.fill();
  }

  /** New messages while there is room in the window. */
  private fill(): void {
    while (this.connected && this.published < this.target && this.flights.size < WINDOW) {
      // Never an id twice in a run: an acknowledgement then names one message, whatever was lost at a kill.
      const id = ++this.lastId;
      if (id > 0xffff) throw new Error(`${this.name}: more than 65535 messages in one run`);
      const i = this.published++;
      this.flights.set(id, { i, state: "publish" });
      this.sendPublish(id, i, false);
    }
  }

  private sendPublish(id: number, i: number, dup: boolean): void {
    const m = messageAt(this.name, i);
    this.send({ cmd: "publish", messageId: id, qos: this.qos, dup, retain: m.retain, topic: m.topic, payload: m.payload });
  }

  private send(packet: Packet): void {
    this.socket?.write(generate(packet, { protocolVersion: this.protocolVersion }));
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

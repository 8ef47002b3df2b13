// An MQTT client that does nothing on its own: it writes the packets a case builds
// (with mqtt-packet, the codec Hearth uses, or bytes by hand) and hands back what
// the broker sent, in order, so a case can observe reason codes, properties, flow
// control and the moment a connection is closed. Over TCP or WebSocket.
import { connect as tcpConnect, type Socket } from "node:net";
import mqttPacket, { type IConnackPacket, type IConnectPacket, type Packet, type PacketCmd } from "mqtt-packet";
import WebSocket from "ws";
import { Wakeup } from "./wakeup";

export type Transport = "tcp" | "ws";
export type Endpoint = { transport: Transport; host: string; port: number; path: string };
export type ProtocolVersion = 4 | 5;
export type Match = PacketCmd | ((packet: Packet) => boolean);

/** How long a case waits for a packet it expects before it records "nothing came". */
export const WAIT_MS = 4_000;

export class RawClient {
  /** Every packet received, in order (what `next` consumed too). */
  readonly received: Packet[] = [];
  closed = false;
  /** The parser's complaint about the broker's bytes, if any (a broker bug, not a client one). */
  parseError: string | null = null;
  private readonly inbox: Packet[] = [];
  private readonly news = new Wakeup();
  private readonly write: (bytes: Buffer) => void;
  private readonly end: () => void;
  private readonly finishWrites: () => void;
  private readonly parser: ReturnType<typeof mqttPacket.parser>;
  readonly protocolVersion: ProtocolVersion;

  private constructor(protocolVersion: ProtocolVersion, transport: { write(bytes: Buffer): void; finish(): void; end(): void }) {
    this.protocolVersion = protocolVersion;
    this.write = transport.write;
    this.finishWrites = transport.finish;
    this.end = transport.end;
    this.parser = mqttPacket.parser({ protocolVersion });
    this.parser.on("packet", (packet: Packet) => {
      this.received.push(packet);
      this.inbox.push(packet);
      this.news.wake();
    });
    this.parser.on("error", (error: Error) => {
      this.parseError = error.message;
    });
  }

  static open(endpoint: Endpoint, protocolVersion: ProtocolVersion): Promise<RawClient> {
    return endpoint.transport === "tcp" ? RawClient.openTcp(endpoint, protocolVersion) : RawClient.openWs(endpoint, protocolVersion);
  }

  private static openTcp(endpoint: Endpoint, version: ProtocolVersion): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket: Socket = tcpConnect({ host: endpoint.host, port: endpoint.port, noDelay: true });
      const client = new RawClient(version, { write: (b) => socket.write(b), finish: () => socket.end(), end: () => socket.destroy() });
      socket.once("connect", () => resolve(client));
      socket.once("error", reject);
      socket.on("error", () => {});
      socket.on("data", (chunk) => client.feed(chunk));
      socket.once("close", () => client.onClose());
    });
  }

  private static openWs(endpoint: Endpoint, version: ProtocolVersion): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${endpoint.host}:${endpoint.port}${endpoint.path}`, ["mqtt"]);
      const client = new RawClient(version, {
        write: (b) => ws.readyState === WebSocket.OPEN && ws.send(b),
        finish: () => ws.close(),
        end: () => ws.terminate(),
      });
      ws.once("open", () => resolve(client));
      ws.once("error", reject);
      ws.on("error", () => {});
      ws.on("message", (data: Buffer) => client.feed(data));
      ws.once("close", () => client.onClose());
    });
  }

  private feed(chunk: Buffer) {
    this.parser.parse(chunk);
  }

  private onClose() {
    this.closed = true;
    this.news.wake();
  }

  send(packet: Packet): void {
    this.write(mqttPacket.generate(packet, { protocolVersion: this.protocolVersion }));
  }

  sendBytes(bytes: Buffer | number[]): void {
    this.write(Buffer.from(bytes));
  }

  /** The next unconsumed packet that matches, or null when the connection closed or nothing came in time. */
  next(match?: Match, timeoutMs = WAIT_MS): Promise<Packet | null> {
    const test = (p: Packet) => (match === undefined ? true : typeof match === "string" ? p.cmd === match : match(p));
    const take = () => {
      const i = this.inbox.findIndex(test);
      return i >= 0 ? this.inbox.splice(i, 1)[0] : undefined;
    };
    return this.news.poll(take, () => this.closed, timeoutMs);
  }

  /** Unconsumed packets of a kind, taken out of the inbox. */
  drain(cmd: PacketCmd): Packet[] {
    const taken = this.inbox.filter((p) => p.cmd === cmd);
    for (const p of taken) this.inbox.splice(this.inbox.indexOf(p), 1);
    return taken;
  }

  /** True once the broker closed the connection (within `timeoutMs`). */
  async waitClosed(timeoutMs = WAIT_MS): Promise<boolean> {
    return (await this.news.poll(() => (this.closed ? true : undefined), () => false, timeoutMs)) ?? false;
  }

  /**
   * A PINGREQ round trip: everything the broker wrote to this connection before its
   * PINGRESP has arrived by then, so "nothing else came" is known without sleeping.
   */
  async settle(): Promise<boolean> {
    this.send({ cmd: "pingreq" });
    return (await this.next("pingresp")) !== null;
  }

  private lastMessageId = 0;
  /** A fresh packet identifier for this connection (1…65535). */
  messageId(): number {
    this.lastMessageId = (this.lastMessageId % 65_535) + 1;
    return this.lastMessageId;
  }

  /** Closes abruptly, as a network failure would (no DISCONNECT, the socket destroyed). */
  close(): void {
    if (!this.closed) this.end();
  }

  /** Closes the way a client must after DISCONNECT [MQTT-3.14.4-1]: what was written is delivered first. */
  finish(): void {
    if (!this.closed) this.finishWrites();
  }
}

/** Opens a connection and sends CONNECT; returns the client and its CONNACK (null: none came). */
export async function rawConnect(
  endpoint: Endpoint,
  version: ProtocolVersion,
  connect: Omit<IConnectPacket, "cmd" | "protocolVersion" | "protocolId">,
): Promise<{ client: RawClient; connack: IConnackPacket | null }> {
  const client = await RawClient.open(endpoint, version);
  client.send({ cmd: "connect", protocolId: "MQTT", protocolVersion: version, keepalive: 30, ...connect });
  const connack = (await client.next("connack")) as IConnackPacket | null;
  return { client, connack };
}

// One network connection (TCP, TLS or a WebSocket stream): bytes in through the
// packet-size scanner and mqtt-packet's parser, each packet to its handler; packets
// out through mqtt-packet's generator, at most one socket write per turn of the loop
// (coalesce-writes.ts); keep alive; the CONNECT timeout; MQTT 5 topic aliases out and
// the client's Maximum Packet Size; the ordered acknowledgements of ack-gate.ts.
// It is the ClientInfo the hooks see.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { IPublishPacket, Packet, QoS } from "mqtt-packet";
import { coalesceWrites } from "../coalesce-writes";
import { createPacketParser } from "./byte-list";
import { createPacketScanner, type PacketScanner } from "../packet-scanner";
import type { AckQueue, PendingAck } from "./ack-gate";
import type { Core } from "./core";
import { FairReads } from "./fair-reads";
import { dispatch } from "./handlers/dispatch";
import type { ClientInfo } from "./hooks";
import { detachSession } from "./lifecycle";
import { pump } from "./outgoing";
import { RC } from "./reason-codes";
import { encode, encodeForSubscribers } from "./encode";
import type { Session } from "./session";
import type { StoredMessage } from "./store";

export class Client<P> implements ClientInfo<P>, AckQueue {
  readonly connectionId: number;
  clientId = "";
  protocolVersion: 3 | 4 | 5 = 4;
  username: string | undefined = undefined;
  readonly remoteAddress: string | undefined;
  principal = undefined as P;
  session: Session<Client<P>> | null = null;
  state: "connecting" | "authenticating" | "connected" | "closed" = "connecting";
  /** The client's Receive Maximum: QoS 1/2 PUBLISHes in flight towards it. */
  sendQuota: number;
  /** The client's Maximum Packet Size [MQTT-3.1.2-24]. */
  maximumPacketSize = Infinity;
  topicAliasMaximum = 0;
  /** MQTT 5 Request Problem Information: 0 means no reason strings on acks [MQTT-3.1.2-29]. */
  problemInformation = true;
  /** Topic aliases the client set towards us. */
  readonly aliasesIn = new Map<number, string>();
  private aliasesOut: Map<string, number> | null = null;
  /** QoS 1/2 PUBLISHes received and not yet acknowledged (our Receive Maximum, [MQTT-3.3.4-9]). */
  inboundUnacked = 0;
  readonly acks: PendingAck[] = [];
  /** A normal DISCONNECT (not 0x04) arrived: no will [MQTT-3.14.4-3]. */
  graceful = false;
  /** mqtt-packet's parser, reading its bytes in place (byte-list.ts). */
  private readonly parser = createPacketParser();
  private readonly scanner: PacketScanner;
  /**
   * This connection's share of a turn: the bytes of a read past it wait, unparsed, for the
   * others' (fair-reads.ts). So does what a client sends ahead of its CONNACK (§3.1.4 allows
   * it): parsed once the CONNECT is accepted, in turns, and held as bytes meanwhile.
   */
  private readonly reads: FairReads;
  private keepAliveMs = 0;
  private lastSeen = Date.now();
  private timer: NodeJS.Timeout | null = null;
  private waitingDrain = false;
  /** pauseReads: reads rest until this time (0: they do not), and the timer that wakes them. */
  private pausedUntil = 0;
  private pauseTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly core: Core<P>,
    private readonly stream: Duplex,
    readonly req: IncomingMessage | undefined,
    /** The largest packet this connection accepts (a transport may carry less than the broker's limit). */
    readonly maxPacketBytes: number,
  ) {
    this.connectionId = core.nextConnectionId();
    this.remoteAddress = (stream as { remoteAddress?: string }).remoteAddress ?? req?.socket.remoteAddress;
    // 3.1.1 has no Receive Maximum: the broker's own window (core.ts maxInflightMessages).
    // MQTT 5 clients set theirs at CONNECT.
    this.sendQuota = core.limits.maxInflightMessages;
    this.scanner = createPacketScanner(maxPacketBytes);
    this.reads = new FairReads(stream, core.limits.packetsPerTurn, this.scanner, {
      accepts: () => (this.state === "connected" ? (this.pausedUntil > 0 ? 0 : Infinity) : this.state === "connecting" ? 1 : this.state === "authenticating" ? 0 : -1),
      parse: (bytes) => this.parser.parse(bytes),
      refuse: (problem) => this.disconnect(problem.code === "packet-too-large" ? RC.packetTooLarge : RC.malformedPacket, problem.message, problem.code),
    });
    coalesceWrites(stream);
    this.parser.on("packet", (packet) => this.handle(packet));
    this.parser.on("error", (error: Error) => this.onParseError(error));
    stream.on("data", (chunk: Buffer) => this.onData(chunk));
    stream.on("error", (error) => core.log.debug("connection error", { client: this.clientId || undefined, error: error.message }));
    // What the peer sent before it went is handled first (FairReads.finish).
    const lost = () => this.teardown("connection-lost");
    stream.on("close", () => this.reads.finish(lost));
    // MQTT has no half-open connection: the peer's end is the end. (ws's createWebSocketStream
    // ends without closing when the peer drops, so 'close' alone would never come.)
    stream.on("end", () => {
      this.reads.finish(lost);
      stream.destroy();
    });
    this.timer = setTimeout(() => this.disconnect(undefined, "no CONNECT in time", "connect-timeout"), core.limits.connectTimeoutMs);
  }

  private onData(chunk: Buffer): void {
    if (this.state === "closed") return;
    this.lastSeen = Date.now();
    this.reads.read(chunk);
  }

  private onParseError(error: Error): void {
    if (this.state === "closed") return;
    // [MQTT-3.1.2-2] an unsupported protocol level gets CONNACK 0x01 (3.1.1's code: the version is unknown) before the close.
    if (this.state === "connecting" && /protocol version/i.test(error.message)) {
      this.send({ cmd: "connack", returnCode: 1, sessionPresent: false });
      this.disconnect(undefined, error.message, "unsupported-protocol-version");
      return;
    }
    this.disconnect(RC.malformedPacket, error.message, "malformed-packet");
  }

  /** A hook or handler that throws costs this connection (0x83), never the broker. */
  private handle(packet: Packet): void {
    if (this.state === "closed") return;
    try {
      dispatch(this.core, this, packet);
    } catch (error) {
      this.core.log.error("a packet's handling failed", { code: "handler-failed", cmd: packet.cmd, client: this.clientId || undefined, error: (error as Error).message });
      this.disconnect(RC.implementationSpecificError, "internal error", "handler-failed");
    }
  }

  /**
   * A CONNECT arrived and its hooks decide: the CONNECT timeout has been met, and the
   * decision gets its own bound (review 8, F2: a device whose password waited behind a
   * flood of others' scrypt hashes was closed as "no CONNECT in time").
   */
  authenticating(): void {
    this.state = "authenticating";
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.disconnect(undefined, "authentication took too long", "auth-timeout"), this.core.limits.authTimeoutMs);
  }

  /** After CONNACK: keep alive, and the packets sent meanwhile go on, next turn. */
  connected(keepAliveSeconds: number): void {
    this.state = "connected";
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.keepAliveMs = keepAliveSeconds * 1500; // [MQTT-3.1.2-24] one and a half times
    if (this.keepAliveMs > 0) this.timer = setTimeout(this.checkKeepAlive, this.keepAliveMs);
    this.reads.wake();
  }

  private readonly checkKeepAlive = () => {
    // A connection whose reads rest is not read from, so it cannot have been heard from.
    if (this.pausedUntil > 0) this.lastSeen = Date.now();
    const idle = Date.now() - this.lastSeen;
    if (idle >= this.keepAliveMs) this.disconnect(RC.keepAliveTimeout, "keep alive timeout", "keepalive-timeout");
    else this.timer = setTimeout(this.checkKeepAlive, this.keepAliveMs - idle);
  };

  pauseReads(ms: number): void {
    const until = Date.now() + ms;
    if (this.state === "closed" || ms <= 0 || until <= this.pausedUntil) return;
    this.pausedUntil = until;
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = setTimeout(() => {
      this.pauseTimer = null;
      this.pausedUntil = 0;
      this.lastSeen = Date.now();
      this.reads.wake();
    }, ms);
  }

  setProtocol(version: 3 | 4 | 5): void {
    this.protocolVersion = version;
  }

  isClosed(): boolean {
    return this.state === "closed";
  }

  canWrite(): boolean {
    return this.state !== "closed" && this.stream.writableLength < this.core.limits.writeBufferBytes;
  }

  /** Resumes the session's queue when the socket drains. */
  awaitDrain(): void {
    if (this.waitingDrain || this.state === "closed") return;
    this.waitingDrain = true;
    this.stream.once("drain", () => {
      this.waitingDrain = false;
      if (this.session?.connection === this) pump(this.core, this.session);
    });
  }

  send(packet: Packet): void {
    if (this.state === "closed" && packet.cmd !== "disconnect") return;
    // The peer went and what it sent before is still being handled (FairReads.finish): no one to answer.
    if (this.stream.destroyed) return;
    try {
      this.stream.write(encode(packet, this.protocolVersion));
    } catch (error) {
      this.core.log.error("could not encode a packet", { code: "encode-failed", cmd: packet.cmd, error: (error as Error).message });
    }
  }

  /** A PUBLISH to this client; false if it is larger than the client accepts [MQTT-3.1.2-25]. */
  writePublish(m: StoredMessage, qos: QoS, packetId: number | null, subscriptionIds: number[], dup: boolean, now: number): boolean {
    let bytes: Buffer;
    let newAlias = 0;
    try {
      if (!dup && (this.protocolVersion !== 5 || (this.topicAliasMaximum === 0 && subscriptionIds.length === 0 && m.expiresAt === null))) {
        bytes = encodeForSubscribers(m, this.protocolVersion, qos, packetId);
      } else {
        const packet: IPublishPacket = { cmd: "publish", topic: m.topic, payload: m.payload, qos, retain: m.retain, dup };
        if (packetId !== null) packet.messageId = packetId;
        if (this.protocolVersion === 5) {
          const props: NonNullable<IPublishPacket["properties"]> = { ...m.properties };
          // [MQTT-3.3.2-6] the expiry sent on is what is left of it.
          if (m.expiresAt !== null) props.messageExpiryInterval = Math.max(1, Math.ceil((m.expiresAt - now) / 1000));
          if (subscriptionIds.length > 0) props.subscriptionIdentifier = subscriptionIds.length === 1 ? subscriptionIds[0] : subscriptionIds;
          if (this.topicAliasMaximum > 0) newAlias = this.applyAlias(packet, props);
          packet.properties = props;
        }
        bytes = encode(packet, this.protocolVersion);
      }
    } catch (error) {
      this.core.log.error("could not encode a PUBLISH", { code: "encode-failed", topic: m.topic, error: (error as Error).message });
      return false;
    }
    if (bytes.length > this.maximumPacketSize) {
      if (newAlias > 0) this.aliasesOut!.delete(m.topic);
      return false;
    }
    this.stream.write(bytes);
    this.core.counters.messagesSent++;
    return true;
  }

  /** Outgoing topic aliases (MQTT 5.0 §3.3.2.3.4): the first use sends topic + alias, later ones the alias alone. */
  private applyAlias(packet: IPublishPacket, props: NonNullable<IPublishPacket["properties"]>): number {
    this.aliasesOut ??= new Map();
    const known = this.aliasesOut.get(packet.topic);
    if (known !== undefined) {
      props.topicAlias = known;
      packet.topic = "";
      return 0;
    }
    if (this.aliasesOut.size >= this.topicAliasMaximum) return 0;
    const alias = this.aliasesOut.size + 1;
    this.aliasesOut.set(packet.topic, alias);
    props.topicAlias = alias;
    return alias;
  }

  /** Sends the acknowledgements at the head of the queue that are ready, in arrival order. */
  flushAcks(): void {
    while (this.acks.length > 0 && this.acks[0].waiting === 0) {
      const ack = this.acks.shift()!;
      if (this.state === "closed") continue;
      if (ack.releasesQuota && (ack.kind !== "pubrec" || ack.reasonCode >= 0x80 || ack.failed)) this.inboundUnacked--;
      if (ack.failed) {
        // Its effects were not (all) stored (its id went already, ack-gate.ts settle).
        // The message was not stored: MQTT 5 says so; a 3.1.1 client has no way to hear it, so it is disconnected and resends.
        // (One refused for good is not failed by now: ack-gate.ts acknowledges it to a 3.1.1 client.)
        if (this.protocolVersion !== 5 || ack.kind === "pubcomp") {
          this.disconnect(RC.unspecifiedError, "the message could not be stored", "store-failed");
          return;
        }
        ack.reasonCode = RC.unspecifiedError;
      }
      const reasonCode = this.protocolVersion === 5 && ack.reasonCode !== 0 ? ack.reasonCode : undefined;
      this.send({ cmd: ack.kind, messageId: ack.packetId, reasonCode } as Packet);
    }
  }

  /**
   * Ends the connection: MQTT 5 clients past CONNACK get DISCONNECT with `reasonCode`
   * first (§4.13); `code` is the stable reason for logs and onDisconnected.
   */
  disconnect(reasonCode: number | undefined, reason: string | undefined, code: string): void {
    if (this.state === "closed") return;
    if (reasonCode !== undefined && this.protocolVersion === 5 && this.state === "connected") {
      this.send({ cmd: "disconnect", reasonCode, properties: reason ? { reasonString: reason } : undefined });
    }
    const level = code === "client-disconnect" || code === "server-shutdown" ? "debug" : "warn";
    this.core.log[level]("closing a connection", { code, client: this.clientId || undefined, address: this.remoteAddress, reason });
    this.teardown(code);
    this.stream.end();
    // A peer that never closes its side must not hold the socket.
    setTimeout(() => this.stream.destroy(), 1000).unref();
  }

  /** ClientInfo.close, for hooks: MQTT 5 clients hear 0x98 (administrative action) unless told otherwise. */
  close(reasonCode: number = RC.administrativeAction, reason?: string): void {
    this.disconnect(reasonCode, reason, "closed-by-hook");
  }

  /** The connection is over, however it ended: the session lives on (or ends) without it. */
  private teardown(code: string): void {
    if (this.state === "closed") return;
    const wasConnected = this.state === "connected";
    this.state = "closed";
    if (this.timer) clearTimeout(this.timer);
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.timer = null;
    this.acks.length = 0;
    this.core.clients.delete(this);
    if (!wasConnected) return;
    if (this.session?.connection === this) detachSession(this.core, this.session, this.graceful);
    for (const hook of this.core.hooks) {
      try {
        hook.onDisconnected?.(this, code);
      } catch (error) {
        this.core.log.error("an onDisconnected hook failed", { code: "hook-failed", client: this.clientId, error: (error as Error).message });
      }
    }
    this.core.onClientEvent?.("disconnect", this.clientId);
  }
}

// One connection's fair share of a turn of the event loop (issue 12, QoS 1 pairs burst).
// Node reads a socket in chunks of up to 64 KiB, up to 32 of them per turn, and the
// parser hands over every packet in a chunk at once: a publisher that bursts had its
// whole backlog (3,000 PUBLISHes) routed in one turn, before the PUBACKs its subscriber
// had already sent could be read. The subscriber's in-flight window and queue filled
// within that turn and the rest was dropped (queue-full), though the subscriber was
// reading and acknowledging all along. Mosquitto reads one packet per socket per turn of
// its loop (src/mux_epoll.c loop_handle_reads_writes → lib/packet_mosq.c packet__read).
// Here a connection's parser gets at most `perTurn` packets' bytes per turn of the loop
// (the packet scanner finds where they end); the rest of what was read waits as bytes,
// with the socket paused (TCP pushes back on the sender, no one else waits), for the
// next turn, after every other connection's reads — the PUBACKs that refill the window
// among them. Bytes, not parsed packets (review-7 F1): a WebSocket message is one chunk
// of up to 512 KiB, 262,144 PINGREQs, which as packet objects held ~24 MB per
// connection and took ~0.4 s to parse in one go; held as bytes it is the 512 KiB
// already read, parsed 64 packets a turn.
import type { Duplex } from "node:stream";
import type { PacketScanner, ScanProblem } from "../packet-scanner";

/** The connection behind a FairReads. */
export type ReadTarget = {
  /**
   * Packets the connection takes now: 1 before its CONNECT (only the CONNECT), 0 while the
   * CONNECT is being authenticated, Infinity once connected, -1 once closed (the rest is dropped).
   */
  accepts(): number;
  /** Bytes of whole packets (and perhaps the start of the next) for the parser; it handles each packet as it is parsed. */
  parse(bytes: Buffer): void;
  /** A header the scanner refused (too large, malformed length): the connection ends. */
  refuse(problem: ScanProblem): void;
};

// A turn is one pass of the event loop, counted from one check phase (setImmediate) to
// the next: every connection's budget is renewed there, once, whether the packets came
// from a socket read in the poll phase, from a waiting connection's turn, or from what
// resume() flows on the next tick (review-7 F4: a share per read gave a resumed connection
// two shares in one turn).
let turn = 0;
let turnScheduled = false;
/** Connections with bytes waiting for the next turn, in the order they started waiting. */
let due: FairReads[] = [];

function scheduleTurn(): void {
  if (turnScheduled) return;
  turnScheduled = true;
  setImmediate(nextTurn);
}

function nextTurn(): void {
  turnScheduled = false;
  turn++;
  const now = due;
  due = [];
  for (const reads of now) reads.takeTurn();
}

export class FairReads {
  /** Bytes read and not yet given to the parser, oldest first; held[0] from `at`. */
  private readonly held: Buffer[] = [];
  private at = 0;
  private turn = -1;
  private budget = 0;
  private queued = false;
  /** The peer ended the connection: called once what it sent before is handled. */
  private ending: (() => void) | null = null;

  constructor(
    private readonly stream: Duplex,
    private readonly perTurn: number,
    private readonly scanner: PacketScanner,
    private readonly target: ReadTarget,
  ) {}

  /** Bytes held back (read, not yet parsed): what a connection costs beyond the packets being handled. */
  heldBytes(): number {
    let bytes = 0;
    for (const chunk of this.held) bytes += chunk.length;
    return bytes - this.at;
  }

  /** A chunk was read: as many packets as this turn's share allows now, the rest held. */
  read(chunk: Buffer): void {
    if (this.held.length > 0) {
      this.held.push(chunk);
      this.stream.pause();
      return;
    }
    const end = this.feed(chunk, 0);
    if (end === chunk.length) return;
    this.held.push(chunk);
    this.at = end;
    this.wait();
  }

  /** The connection takes packets again (its CONNECT was accepted): what waits goes on next turn. */
  wake(): void {
    if (this.held.length > 0) this.enqueue();
  }

  /**
   * The peer ended or reset the connection: what it sent before that is still handled, in
   * order and in turns like any read, and `done` (the teardown) comes after it — publishes
   * it sent are not lost, and a DISCONNECT at their end still discards the will
   * [MQTT-3.14.4-3] (review-7 F2). Whatever closes the connection meanwhile drops the rest.
   */
  finish(done: () => void): void {
    if (this.held.length === 0) done();
    else this.ending ??= done;
  }

  /** This connection's turn, from nextTurn(). */
  takeTurn(): void {
    this.queued = false;
    while (this.held.length > 0) {
      const chunk = this.held[0];
      const end = this.feed(chunk, this.at);
      if (end < chunk.length) {
        this.at = end;
        break;
      }
      this.held.shift();
      this.at = 0;
    }
    if (this.held.length > 0) {
      this.wait();
      return;
    }
    const ending = this.ending;
    this.ending = null;
    if (ending) ending();
    else if (this.target.accepts() >= 0) this.stream.resume();
  }

  /** Gives the parser what the connection takes of `chunk` from `from`; returns where it stopped. */
  private feed(chunk: Buffer, from: number): number {
    while (from < chunk.length) {
      const accepts = this.target.accepts();
      if (accepts < 0) return chunk.length;
      const share = Math.min(accepts, this.share());
      if (share === 0) return from;
      const end = this.scanner.scan(chunk, from, share);
      if (this.scanner.problem) {
        this.target.refuse(this.scanner.problem);
        return chunk.length;
      }
      this.budget -= this.scanner.ended;
      this.target.parse(from === 0 && end === chunk.length ? chunk : chunk.subarray(from, end));
      from = end;
    }
    return from;
  }

  /** Packets left of this connection's share of the current turn. */
  private share(): number {
    if (this.turn !== turn) {
      this.turn = turn;
      this.budget = this.perTurn;
      scheduleTurn();
    }
    return this.budget;
  }

  /** Bytes are held: the socket pauses, and the rest goes on next turn (or when the CONNECT is accepted). */
  private wait(): void {
    const accepts = this.target.accepts();
    if (accepts < 0) {
      this.held.length = 0;
      this.at = 0;
      return;
    }
    this.stream.pause();
    if (accepts > 0) this.enqueue();
  }

  private enqueue(): void {
    if (this.queued) return;
    this.queued = true;
    due.push(this);
    scheduleTurn();
  }
}

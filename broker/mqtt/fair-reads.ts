// One connection's fair share of a turn of the event loop (issue 12, QoS 1 pairs burst).
// Node reads a socket in chunks of up to 64 KiB, up to 32 of them per turn, and the
// parser hands over every packet in a chunk at once: a publisher that bursts had its
// whole backlog (3,000 PUBLISHes) routed in one turn, before the PUBACKs its subscriber
// had already sent could be read. The subscriber's in-flight window and queue filled
// within that turn and the rest was dropped (queue-full), though the subscriber was
// reading and acknowledging all along. Mosquitto reads one packet per socket per turn of
// its loop (src/mux_epoll.c loop_handle_reads_writes → lib/packet_mosq.c packet__read).
// Here a connection handles `perTurn` packets of a read; the rest wait, with its socket
// paused (TCP pushes back on the sender, no one else waits), for the next turn, after
// every other connection's reads — the PUBACKs that refill the window among them.
import type { Duplex } from "node:stream";

export class FairReads<T> {
  private budget: number;
  /** Packets parsed past this turn's share, oldest first; null while there are none. */
  private backlog: T[] | null = null;
  private head = 0;

  constructor(
    private readonly stream: Duplex,
    private readonly perTurn: number,
    private readonly handle: (item: T) => void,
    private readonly open: () => boolean,
  ) {
    this.budget = perTurn;
  }

  /** A chunk was read: its packets have a fresh share (the socket is paused whenever one is left over). */
  newRead(): void {
    this.budget = this.perTurn;
  }

  /** A parsed packet: handled now, or after the other connections' turn. Order is kept. */
  offer(item: T): void {
    if (this.backlog !== null) {
      this.backlog.push(item);
      return;
    }
    if (this.budget > 0) {
      this.budget--;
      this.handle(item);
      return;
    }
    this.backlog = [item];
    this.stream.pause();
    setImmediate(this.drain);
  }

  /**
   * The peer ended or reset the connection: what it sent before that is handled now, in
   * order, before the connection is torn down — publishes it sent are not lost, and a
   * DISCONNECT at their end still discards the will [MQTT-3.14.4-3]. Stops at whatever
   * closes the connection (open() false), as a turn would.
   */
  flush(): void {
    const backlog = this.backlog;
    if (backlog === null) return;
    while (this.head < backlog.length && this.open()) this.handle(backlog[this.head++]);
    this.backlog = null;
    this.head = 0;
  }

  private readonly drain = (): void => {
    const backlog = this.backlog;
    if (backlog === null) return; // flushed when the connection ended
    for (let n = this.perTurn; n > 0 && this.head < backlog.length; n--) {
      if (!this.open()) break;
      this.handle(backlog[this.head++]);
    }
    if (this.open() && this.head < backlog.length) {
      setImmediate(this.drain);
      return;
    }
    this.backlog = null;
    this.head = 0;
    if (this.open()) this.stream.resume();
  };
}

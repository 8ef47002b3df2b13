// One socket write per turn of the event loop for an MQTT connection. aedes hands each
// outgoing packet to the socket on its own (every QoS 0 delivery waits a setImmediate,
// and mqtt-packet uncorks each packet on the next tick), so a subscriber receiving many
// publishes in one turn got one writev system call, and with TCP_NODELAY one TCP
// segment, per packet. Corking the socket at its first write in a turn and uncorking it
// once the turn's immediates have run sends all of them in one writev; a lone publish
// still leaves within the same turn of the loop, with no Nagle wait (bench/README.md).
// aedes's own cork()/uncork() pairs nest inside ours. Order is kept: the uncork is
// queued before the setImmediate with which aedes reports the write done, so nothing it
// does after a write (closing the connection after a refused CONNACK) overtakes it.
import type { Duplex } from "node:stream";

export function coalesceWrites<T extends Duplex>(stream: T): T {
  let corked = false;
  const uncork = () => {
    corked = false;
    stream.uncork();
  };
  const write = stream.write;
  // Named parameters, not ...args: this runs for every packet written, and a rest array is an allocation each time.
  stream.write = function (this: T, chunk: unknown, encoding?: unknown, callback?: unknown) {
    if (!corked && !stream.destroyed) {
      corked = true;
      stream.cork();
      setImmediate(uncork);
    }
    return (write as (this: T, c: unknown, e?: unknown, cb?: unknown) => boolean).call(this, chunk, encoding, callback);
  } as Duplex["write"];
  return stream;
}

// The round-trip probe (issue 13): one MQTT client publishes to a topic of its own
// `rate` times a second through the hub and times each message's way back to it. A
// broker thread that stalls shows as a long round trip; a lost message as one that
// never comes back. Bounded by its caller's stop(); QoS 0, as a light switch's
// command would be.
import { connect } from "./mqtt-load";

export type ProbeResult = {
  sent: number;
  received: number;
  /** Round trips in ms, in the order the messages were sent; NaN for one that did not come back. */
  rtts: number[];
};

export type Probe = {
  /** How many messages were sent so far: an index into ProbeResult.rtts, to tell phases apart. */
  mark(): number;
  /** Stops publishing, waits up to `graceMs` for messages still on their way, and closes the client. */
  stop(graceMs?: number): Promise<ProbeResult>;
};

export async function startProbe(url: string, opts: { rate?: number; topic?: string } = {}): Promise<Probe> {
  const rate = opts.rate ?? 50;
  const topic = opts.topic ?? `probe/rtt/${process.pid}-${Date.now()}`;
  const client = await connect(url, "probe");
  await client.subscribeAsync(topic, { qos: 0 });

  const sentAt: number[] = [];
  const rtts: number[] = [];
  let received = 0;
  client.on("message", (_topic, payload) => {
    const seq = Number(payload.toString());
    if (!Number.isInteger(seq) || seq < 0 || seq >= sentAt.length || !Number.isNaN(rtts[seq])) return;
    rtts[seq] = performance.now() - sentAt[seq];
    received++;
  });
  // Paced by the clock, not by setInterval's drift: message n leaves at start + n / rate.
  const started = performance.now();
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) * rate) / 1000) + 1;
    while (sentAt.length < due) {
      const seq = sentAt.length;
      sentAt.push(performance.now());
      rtts.push(NaN);
      client.publish(topic, String(seq), { qos: 0 });
    }
  }, 1000 / rate);

  return {
    mark: () => sentAt.length,
    async stop(graceMs = 5000) {
      clearInterval(timer);
      const deadline = performance.now() + graceMs;
      while (received < sentAt.length && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await client.endAsync();
      return { sent: sentAt.length, received, rtts: [...rtts] };
    },
  };
}

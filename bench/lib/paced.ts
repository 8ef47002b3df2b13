// A steady publisher: `rate` readings a second spread evenly over `topics`, each
// topic's value counting up so the browser side can tell which publish it shows.
// Bounded by its duration; the schedule catches up after a late timer instead of
// drifting, but never sends more than a tenth of a second's worth in one tick.
import type { MqttClient } from "mqtt";

export type Sent = { topic: string; value: number; at: number };

export type PacedOptions = {
  clients: readonly MqttClient[];
  topics: readonly string[];
  rate: number;
  durationMs: number;
  /** The first value each topic sends; later ones count up by one. */
  firstValue?: number;
  /** Called with every publish, for latency bookkeeping. */
  onSend?: (sent: Sent) => void;
};

const TICK_MS = 10;

export function publishPaced(opts: PacedOptions): Promise<{ sent: number; elapsedMs: number }> {
  const { clients, topics, rate, durationMs, onSend } = opts;
  const next = new Map(topics.map((t) => [t, opts.firstValue ?? 1]));
  const total = Math.round((rate * durationMs) / 1000);
  const maxPerTick = Math.max(1, Math.ceil(rate / 10));
  let sent = 0;
  const started = performance.now();
  return new Promise((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - started;
      const due = Math.min(total, Math.floor((elapsed * rate) / 1000)) - sent;
      for (let i = 0; i < Math.min(due, maxPerTick); i++) {
        const topic = topics[sent % topics.length];
        const value = next.get(topic)!;
        next.set(topic, value + 1);
        const client = clients[sent % clients.length];
        const at = Date.now();
        client.publish(topic, String(value), { qos: 0 });
        onSend?.({ topic, value, at });
        sent++;
      }
      if (sent >= total || elapsed > durationMs + 5_000) {
        clearInterval(timer);
        resolve({ sent, elapsedMs: performance.now() - started });
      }
    };
    const timer = setInterval(tick, TICK_MS);
  });
}

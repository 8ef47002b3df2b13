// The relay's answer to echoes (broker/upstream-relay.ts). A browser's publish is
// delivered at once to the other browsers on Hearth's /mqtt and sent upstream; Hearth's
// own subscription to `#` then brings it back from the upstream broker. That copy must
// not reach the browsers a second time, so each forwarded message is expected once.
// MQTT 3.1.1 has no No Local option (MQTT 5 §3.8.3.1) and the hub's services must still
// see the message, so the echo is recognised here, by topic and payload.
// A message the upstream broker never echoes (its ACL dropped it) is forgotten after
// `ttlMs`; until then a device's identical message on that topic is taken for the echo,
// which the browsers cannot tell apart: same topic, same payload.

export type EchoFilter = {
  expect(topic: string, payload: Buffer): void;
  /** True (once per expect) when this message is the echo of one forwarded upstream. */
  take(topic: string, payload: Buffer, now?: number): boolean;
  readonly size: number;
};

type Expected = { payload: Buffer; at: number };

export function createEchoFilter({ ttlMs = 30_000, max = 10_000, now = Date.now } = {}): EchoFilter {
  const byTopic = new Map<string, Expected[]>();
  let size = 0;

  const prune = (at: number) => {
    for (const [topic, list] of byTopic) {
      const kept = list.filter((e) => at - e.at < ttlMs);
      size -= list.length - kept.length;
      if (kept.length === 0) byTopic.delete(topic);
      else byTopic.set(topic, kept);
    }
  };

  return {
    expect(topic, payload) {
      const at = now();
      if (size >= max) prune(at);
      if (size >= max) return; // a flood of unechoed publishes: better a duplicate on screen than unbounded memory
      const list = byTopic.get(topic) ?? [];
      list.push({ payload: Buffer.from(payload), at });
      byTopic.set(topic, list);
      size++;
    },
    take(topic, payload, at = now()) {
      const list = byTopic.get(topic);
      if (list === undefined) return false;
      const i = list.findIndex((e) => at - e.at < ttlMs && e.payload.equals(payload));
      // Stale entries before a match are dropped with it; echoes come back in order.
      if (i === -1) {
        if (list.every((e) => at - e.at >= ttlMs)) {
          byTopic.delete(topic);
          size -= list.length;
        }
        return false;
      }
      list.splice(0, i + 1);
      size -= i + 1;
      if (list.length === 0) byTopic.delete(topic);
      return true;
    },
    get size() {
      return size;
    },
  };
}

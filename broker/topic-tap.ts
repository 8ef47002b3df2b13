// The explorer's view of the broker: every message on `#` feeds the topic stats.
// It taps the Bus like any hub service, so it works on both implementations, but
// what `retain` means differs between them (checked against aedes 1.2):
// - local bus (in-process aedes subscription): `retain` is the flag the publisher
//   set, on every delivery, so the stats follow the broker's retained store exactly;
//   aedes does not replay retained messages to an in-process subscription, so topics
//   retained before the hub started appear only once published again;
// - MQTT bus (a real subscription, MQTT 3.1.1 §3.3.1.3): `retain` is set only on the
//   copies replayed when the subscription is made; live publishes arrive with it
//   cleared, so a topic whose retained message changes later keeps its first flag.
// `$SYS/…` is left out: MQTT's `#` does not match `$` topics for a real client, and
// aedes's in-process subscriptions would otherwise flood the tree with broker stats.
import { createTopicStats, type TopicStats } from "../lib/topic-stats";
import type { Bus } from "./bus";

export type TopicTap = { stats: TopicStats; stop(): Promise<void> };

export async function startTopicTap(bus: Bus): Promise<TopicTap> {
  const stats = createTopicStats();
  const unsubscribe = await bus.subscribe("#", (message) => {
    if (message.topic.startsWith("$")) return;
    stats.record(message, message.receivedAt);
  });
  return { stats, stop: unsubscribe };
}

// The explorer's view of the broker: every message on `#` feeds the topic stats.
// It taps the Bus like any hub service, so it works on both implementations, but
// what `retain` means differs between them:
// - local bus (the broker's onPublished hook): `retain` is the flag the publisher
//   set, on every message, so the stats follow the broker's retained store exactly;
//   the retained ones restored at start come as the tap subscribes (local-bus.ts);
// - MQTT bus (a real subscription, MQTT 3.1.1 §3.3.1.3): `retain` is set only on the
//   copies replayed when the subscription is made; live publishes arrive with it
//   cleared, so a topic whose retained message changes later keeps its first flag.
// `$SYS/…` is left out: MQTT's `#` does not match `$` topics [MQTT-4.7.2-1], and the
// broker's statistics would otherwise flood the tree.
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

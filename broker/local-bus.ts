// The Bus on the embedded broker: hub services subscribe and publish in-process,
// through aedes's own subscribe/publish, with no socket in between.
import type { Aedes, AedesPublishPacket } from "aedes";
import type { Bus, BusHandler, PublishOptions } from "./bus";
import { checkTopicFilter, checkTopicName } from "../lib/topics";
import { createLogger, type Logger } from "../lib/log";

export function createLocalBus(broker: Aedes, log: Logger = createLogger("bus")): Bus {
  return {
    subscribe(filter: string, handler: BusHandler) {
      const check = checkTopicFilter(filter);
      if (!check.ok) return Promise.reject(new Error(`bad topic filter ${JSON.stringify(filter)}: ${check.reason}`));
      const deliver = (packet: AedesPublishPacket, done: () => void) => {
        try {
          const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
          handler({ topic: packet.topic, payload, retain: packet.retain, qos: packet.qos });
        } catch (error) {
          // A throwing handler is a bug in one service; it must not stall delivery to everyone else.
          log.error("handler failed", { filter, topic: packet.topic, error: (error as Error).message });
        }
        done();
      };
      return new Promise((resolve) => {
        broker.subscribe(filter, deliver, () =>
          resolve(() => new Promise<void>((done) => broker.unsubscribe(filter, deliver, () => done()))),
        );
      });
    },

    publish(topic: string, payload: string | Buffer, options: PublishOptions = {}) {
      const check = checkTopicName(topic);
      if (!check.ok) return Promise.reject(new Error(`bad topic ${JSON.stringify(topic)}: ${check.reason}`));
      return new Promise((resolve, reject) => {
        broker.publish(
          {
            cmd: "publish",
            topic,
            payload: typeof payload === "string" ? Buffer.from(payload) : payload,
            qos: options.qos ?? 0,
            retain: options.retain ?? false,
            dup: false,
          },
          (error) => (error ? reject(error) : resolve()),
        );
      });
    },
  };
}

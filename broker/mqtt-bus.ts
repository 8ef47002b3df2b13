// The Bus over a real MQTT connection (mqtt.js): what the simulator's devices use
// to reach the hub over TCP exactly as real devices do, and what lets the hub's
// services run against an external broker (Mosquitto, EMQX) later.
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { createBusMessage } from "../lib/bus-message";
import type { Bus, BusClock, BusHandler, BusMessage, PublishOptions } from "./bus";
import { checkTopicFilter, topicMatches } from "../lib/topics";
import { createLogger } from "../lib/log";

const log = createLogger("bus");

export type MqttBus = Bus & {
  readonly client: MqttClient;
  /** Disconnects cleanly (no last will); resolves when the socket is closed. */
  end(): Promise<void>;
};

export type MqttBusOptions = Pick<
  IClientOptions,
  "clientId" | "will" | "username" | "password" | "keepalive" | "reconnectPeriod" | "connectTimeout"
>;

/** Connects and resolves once the broker has accepted the connection. */
export async function connectMqttBus(url: string, options: MqttBusOptions, { now = Date.now }: BusClock = {}): Promise<MqttBus> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 4, clean: true, ...options });
  const subscriptions: { filter: string; handler: BusHandler }[] = [];

  client.on("message", (topic, payload, packet) => {
    let message: BusMessage | null = null;
    for (const { filter, handler } of subscriptions) {
      if (!topicMatches(filter, topic)) continue;
      message ??= createBusMessage({ topic, payload, retain: packet.retain, qos: packet.qos, receivedAt: now() });
      try {
        // Over a real connection the client library has acknowledged already; a failed effect is only logged.
        handler(message)?.catch((error: Error) => log.error("handler's effect failed", { filter, topic, error: error.message }));
      } catch (error) {
        // One service's bug must not stop the client delivering to the others.
        log.error("handler failed", { filter, topic, error: (error as Error).message });
      }
    }
  });

  return {
    client,
    async subscribe(filter: string, handler: BusHandler) {
      const check = checkTopicFilter(filter);
      if (!check.ok) throw new Error(`bad topic filter ${JSON.stringify(filter)}: ${check.reason}`);
      const entry = { filter, handler };
      subscriptions.push(entry);
      await client.subscribeAsync(filter, { qos: 1 });
      return async () => {
        subscriptions.splice(subscriptions.indexOf(entry), 1);
        if (!subscriptions.some((s) => s.filter === filter)) await client.unsubscribeAsync(filter);
      };
    },
    async publish(topic: string, payload: string | Buffer, options: PublishOptions = {}) {
      await client.publishAsync(topic, payload, { qos: options.qos ?? 0, retain: options.retain ?? false });
    },
    end: () => client.endAsync(),
  };
}

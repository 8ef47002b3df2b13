// What hub services (recorder, alert engine, device registry, topic tap) know of MQTT.
// Two implementations: local-bus.ts, in-process on Hearth's own broker, and
// mqtt-bus.ts, an mqtt.js client to any broker (the simulator's devices use it over
// TCP, and a home that outgrows the embedded broker can point the hub at Mosquitto).

import type { BusMessage } from "../lib/bus-message";

/** Read-only, parsed once (lib/bus-message.ts): the bus hands the same message to every handler that matches. */
export type { BusMessage };

/**
 * A returned promise is the message's durable effect (the recorder's history row): on
 * the local bus the broker acknowledges a QoS 1/2 PUBLISH only after it resolves.
 */
export type BusHandler = (message: BusMessage) => void | Promise<void>;

export type PublishOptions = { qos?: 0 | 1 | 2; retain?: boolean };

/** Stamps each message's `receivedAt`; tests pass their own. */
export type BusClock = { now?: () => number };

export interface Bus {
  /** Calls `handler` for every message matching `filter`; resolves to an unsubscribe function. */
  subscribe(filter: string, handler: BusHandler): Promise<() => Promise<void>>;
  publish(topic: string, payload: string | Buffer, options?: PublishOptions): Promise<void>;
}

// What hub services (the recorder, alert engine, device registry and topic tap, and
// the simulator's devices) know of MQTT. Two implementations: local-bus.ts, in-process
// on Hearth's own broker, which every hub service uses today, and mqtt-bus.ts, an
// mqtt.js client to any broker, which the simulator's devices use over TCP (DESIGN.md
// plans the hub's services on it too, for homes that already run Mosquitto).

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
  /**
   * Calls `handler` for every message matching `filter`; resolves to an unsubscribe
   * function. Like a broker's new subscription [MQTT-3.3.1-6], the handler also gets the
   * retained messages matching `filter`, flagged `replayed`: the local bus before it
   * resolves (those restored at start included), the upstream bus when it subscribes at
   * `start()` — so services subscribe before that, as broker/hub.ts does.
   */
  subscribe(filter: string, handler: BusHandler): Promise<() => Promise<void>>;
  publish(topic: string, payload: string | Buffer, options?: PublishOptions): Promise<void>;
}

// What hub services (the recorder, alert engine, device registry and topic tap, and
// the simulator's devices) know of MQTT. Two implementations: local-bus.ts, in-process
// on the embedded broker, which every hub service uses today, and mqtt-bus.ts, an
// mqtt.js client to any broker, which the simulator's devices use over TCP (DESIGN.md
// plans the hub's services on it too, for homes that already run Mosquitto).

/** Read-only: the local bus hands the same message to every handler that matches. */
export type BusMessage = {
  readonly topic: string;
  readonly payload: Buffer;
  readonly retain: boolean;
  readonly qos: 0 | 1 | 2;
};

export type BusHandler = (message: BusMessage) => void;

export type PublishOptions = { qos?: 0 | 1 | 2; retain?: boolean };

export interface Bus {
  /** Calls `handler` for every message matching `filter`; resolves to an unsubscribe function. */
  subscribe(filter: string, handler: BusHandler): Promise<() => Promise<void>>;
  publish(topic: string, payload: string | Buffer, options?: PublishOptions): Promise<void>;
}

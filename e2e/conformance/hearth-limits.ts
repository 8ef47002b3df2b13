// The limits each broker runs with in the conformance suite, for the cases that
// compare with them (Server Keep Alive). null: the broker has no maximum.
export type SuiteLimits = { maxKeepAliveSeconds: number | null };

/** The engine alone (hearth-engine.ts) is started with a maximum, to prove Server Keep Alive. */
export const ENGINE_LIMITS: SuiteLimits = { maxKeepAliveSeconds: 60 };
/** The hub has no keep-alive maximum setting (like Mosquitto's default, max_keepalive 65535). */
export const HUB_LIMITS: SuiteLimits = { maxKeepAliveSeconds: null };

/** The hub's settings for the suite: cases publish faster than a device may by default (receive maximum needs 257 in flight). */
// The suite connects anonymously from this machine over /mqtt too, as to Mosquitto's websockets
// listener: the hub's opt-in for that (auth.anonymousWebSocket, off by default: review-9 F2).
export const HUB_ENV = { HEARTH_MQTT_MAX_PUBLISH_RATE: "10000", HEARTH_MQTT_ANONYMOUS_WEBSOCKET: "1" };

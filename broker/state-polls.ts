// Asking a device for its state when it says it is online (review-15 L3). A Tasmota relay
// reports its state only when it changes and every TelePeriod (5 minutes by default), and
// does not retain it (PowerRetain 0): after a hub restart, or when the plug comes back,
// nothing says whether it is on. Home Assistant's Tasmota integration asks: on the
// device's LWT saying online it sends `cmnd/<t>/STATE` (hatasmota entity.py
// availability_message_received → poll_status), and the device answers on
// `stat/<t>/RESULT`. The hub does the same for every entity that declares a poll
// (lib/devices/ha-discovery.ts StatePoll), through its bus like its other publishes.
//
// Debounced per poll topic, as hatasmota's publish_debounced (mqtt.py DEBOUNCE_TIMEOUT,
// 1 s): Tasmota publishes its LWT "Online" *before* it subscribes to `cmnd/<t>/#`
// (tasmota support_mqtt.ino MqttConnected), so a poll sent at once would reach nobody;
// and a two-relay device's entities share one poll.
import type { Logger } from "../lib/log";
import type { AvailabilitySource, StatePoll } from "../lib/devices/ha-discovery";
import { interpretAvailability } from "../lib/devices/registry";
import { evaluateTemplate } from "../lib/devices/value-template-eval";
import type { Bus } from "./bus";

/** hatasmota mqtt.py DEBOUNCE_TIMEOUT. */
export const POLL_AFTER_MS = 1000;

/** Who is asked when an availability topic says online: the source that reads it, and the poll. */
export type PollRoute = { readonly source: AvailabilitySource; readonly poll: StatePoll };

export type StatePolls = {
  /** A message on an availability topic with polls: when it says online, the polls go out after the pause. */
  heard(routes: readonly PollRoute[], payload: Uint8Array): void;
  stop(): void;
};

const decoder = new TextDecoder("utf-8", { fatal: true });

/** An availability payload's word (through its template), or null when it has none. */
function availabilityWord(source: AvailabilitySource, payload: Uint8Array): string | null {
  if (payload.byteLength === 0 || payload.byteLength > 1024) return null;
  let text: string;
  try {
    text = decoder.decode(payload).trim();
  } catch {
    return null;
  }
  if (source.template === null) return text || null;
  const result = evaluateTemplate(source.template, text);
  return result.ok && result.value !== null && result.value !== undefined ? String(result.value) : null;
}

export function createStatePolls(bus: Bus, log: Logger, afterMs = POLL_AFTER_MS): StatePolls {
  const pending = new Map<string, NodeJS.Timeout>();
  const send = (poll: StatePoll) => {
    pending.delete(poll.topic);
    log.debug("device state polled", { topic: poll.topic });
    bus.publish(poll.topic, poll.payload, { qos: 0, retain: false }).catch((error: Error) =>
      log.warn("device state poll not sent", { code: "poll-failed", topic: poll.topic, error: error.message }),
    );
  };
  return {
    heard(routes, payload) {
      for (const { source, poll } of routes) {
        const word = availabilityWord(source, payload);
        if (word === null || interpretAvailability(source, word) !== "online") continue;
        clearTimeout(pending.get(poll.topic));
        const timer = setTimeout(() => send(poll), afterMs);
        timer.unref();
        pending.set(poll.topic, timer);
      }
    },
    stop() {
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
    },
  };
}

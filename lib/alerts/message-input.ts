// A message under home/ as the alert state machine's input: a reading, a device's
// availability, or just a sign of life. The reading is the one the message already
// carries (lib/bus-message.ts: parsed once for every service), or, on the hub, the one
// history keeps for the topic (a converting sensor's: what the chart shows). Commands (`…/set`)
// and emptied retained values say nothing about a device.
import type { BusMessage } from "../bus-message";
import type { ParseResult } from "../readings";
import { parseHomeTopic } from "../topics";
import type { AlertInput } from "./state-machine";

/** What a message says as a reading: its own, or (the hub's) the one history keeps for its topic. */
export type ReadingOfMessage<M> = (message: M) => ParseResult | null;

const own: ReadingOfMessage<Pick<BusMessage, "reading">> = (message) => message.reading;

/**
 * A message under home/ as the state machine's input; null for commands and other topics.
 * `readingOf`: the reading judged, the one the person sees in the chart (broker/device-registry.ts
 * KnownDevices.readingOf: a converting sensor's, in its unit); the message's own by default.
 */
export function toAlertInput<M extends Pick<BusMessage, "topic" | "payload" | "reading">>(message: M, readingOf: ReadingOfMessage<M> = own): AlertInput | null {
  const home = parseHomeTopic(message.topic);
  if (home === null || home.kind === "set") return null;
  const { payload } = message;
  if (payload.byteLength === 0) return null; // a retained value being cleared, not a device speaking
  if (home.kind === "measurement") {
    const result = readingOf(message);
    return result?.ok ? { type: "reading", value: result.reading.value } : { type: "message" };
  }
  if (home.kind === "availability") {
    const text = new TextDecoder().decode(payload).trim().toLowerCase();
    if (text === "online" || text === "offline") return { type: "availability", online: text === "online" };
  }
  return { type: "message" };
}

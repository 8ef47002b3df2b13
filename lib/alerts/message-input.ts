// A message under home/ as the alert state machine's input, through the one topic
// parser and the one payload parser: a reading, a device's availability, or just
// a sign of life. Commands (`…/set`) and emptied retained values say nothing about a device.
import { parseReading } from "../readings";
import { parseHomeTopic } from "../topics";
import type { AlertInput } from "./state-machine";

/** A message under home/ as the state machine's input; null for commands and other topics. */
export function toAlertInput(topic: string, payload: Uint8Array, now: number): AlertInput | null {
  const home = parseHomeTopic(topic);
  if (home === null || home.kind === "set") return null;
  if (payload.byteLength === 0) return null; // a retained value being cleared, not a device speaking
  if (home.kind === "measurement") {
    const result = parseReading(topic, home.room, home.measurement, payload, now);
    return result.ok ? { type: "reading", value: result.reading.value } : { type: "message" };
  }
  if (home.kind === "availability") {
    const text = new TextDecoder().decode(payload).trim().toLowerCase();
    if (text === "online" || text === "offline") return { type: "availability", online: text === "online" };
  }
  return { type: "message" };
}

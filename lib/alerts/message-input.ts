// A message under home/ as the alert state machine's input: a reading, a device's
// availability, or just a sign of life. The reading is the one the message already
// carries (lib/bus-message.ts: parsed once for every service). Commands (`…/set`)
// and emptied retained values say nothing about a device.
import type { BusMessage } from "../bus-message";
import { parseHomeTopic } from "../topics";
import type { AlertInput } from "./state-machine";

/** A message under home/ as the state machine's input; null for commands and other topics. */
export function toAlertInput(message: Pick<BusMessage, "topic" | "payload" | "reading">): AlertInput | null {
  const home = parseHomeTopic(message.topic);
  if (home === null || home.kind === "set") return null;
  const { payload } = message;
  if (payload.byteLength === 0) return null; // a retained value being cleared, not a device speaking
  if (home.kind === "measurement") {
    const result = message.reading;
    return result?.ok ? { type: "reading", value: result.reading.value } : { type: "message" };
  }
  if (home.kind === "availability") {
    const text = new TextDecoder().decode(payload).trim().toLowerCase();
    if (text === "online" || text === "offline") return { type: "availability", online: text === "online" };
  }
  return { type: "message" };
}

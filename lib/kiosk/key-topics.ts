import { parseHomeTopic } from "../topics";

/** The readings a kiosk room tile leads with, in this order; the rest keep their (sorted) order. */
const KEY_MEASUREMENTS = ["temperature", "humidity", "co2", "power", "illuminance", "pressure"];
const KEY_READINGS = 3;

function rank(topic: string): number {
  const parsed = parseHomeTopic(topic);
  const index = parsed?.kind === "measurement" ? KEY_MEASUREMENTS.indexOf(parsed.measurement) : -1;
  return index === -1 ? KEY_MEASUREMENTS.length : index;
}

/** A room's key readings first (temperature, humidity, …), three of them; all when `expanded`. */
export function keyTopics(topics: readonly string[], expanded: boolean): string[] {
  // Array.prototype.sort is stable: topics of equal rank keep the store's order.
  const ordered = [...topics].sort((a, b) => rank(a) - rank(b));
  return expanded ? ordered : ordered.slice(0, KEY_READINGS);
}

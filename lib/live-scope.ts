// Which of the home's topics a page's MQTT connection asks the hub for (issue 13).
// A room page shows one room: subscribing it to `home/#` made the hub send it every
// reading of the house (1,000 a second in the bench, each a WebSocket write on the
// broker's thread and a parse in the browser) only to drop them. Components that show
// part of the home narrow the page's subscription while they are mounted; anything
// that shows the whole home (the dashboard, the kiosk) narrows nothing, so a page
// that declares no scope gets `home/#`, as before.
import { topicMatches } from "./topics";

export const WHOLE_HOME = "home/#";

/**
 * The home filters to subscribe to for the scopes declared now: the whole home when
 * none is declared or one of them is, else their union without filters another one
 * already covers, sorted.
 */
export function scopeFilters(scopes: readonly (readonly string[])[]): string[] {
  if (scopes.length === 0) return [WHOLE_HOME];
  const all = [...new Set(scopes.flat())];
  if (all.includes(WHOLE_HOME)) return [WHOLE_HOME];
  return all.filter((f) => !all.some((other) => other !== f && covers(other, f))).sort();
}

/** A room's topics: its measurements, its devices' state, availability and commands. */
export function roomScope(room: string): string[] {
  return [`home/${room}/#`];
}

/** Whether `after` carries home topics that `before` did not (a page's scope widened). */
export function widens(before: readonly string[], after: readonly string[]): boolean {
  return after.some((f) => f.startsWith("home/") && !before.some((b) => b === f || covers(b, f)));
}

/**
 * Whether `outer` matches every topic `inner` does: `inner` read as a topic whose
 * wildcard levels are a name no filter spells (U+0000, which MQTT forbids in topics
 * [MQTT-4.7.3-2]) must match `outer`, and a `#` in `inner` needs one in `outer`.
 */
function covers(outer: string, inner: string): boolean {
  if (inner.endsWith("#") && !outer.endsWith("#")) return false;
  const asTopic = inner
    .split("/")
    .map((level) => (level === "+" || level === "#" ? "\u0000" : level))
    .join("/");
  return topicMatches(outer, asTopic);
}

// Which of the home's topics a page's MQTT connection asks the hub for (issue 13).
// A room page shows one room: subscribing it to `home/#` made the hub send it every
// reading of the house (1,000 a second in the bench, each a WebSocket write on the
// broker's thread and a parse in the browser) only to drop them. Components that show
// part of the home narrow the page's subscription while they are mounted; anything
// that shows the whole home (the dashboard, the kiosk) narrows nothing, so a page
// that declares no scope gets `home/#`, as before.
import { checkTopicName, topicMatches } from "./topics";

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

/**
 * Whether `room` can be a room: one level of a topic name, so `home/<room>/#` is a
 * filter for that room alone. A wildcard would make it every room (`+`) or an invalid
 * filter (`#`, which the client refuses with the rest of its SUBSCRIBE; review-7 F6).
 */
export function isRoomLevel(room: string): boolean {
  return room !== "" && !room.includes("/") && checkTopicName(`home/${room}/x`).ok;
}

/** A room's topics: its measurements, its devices' state, availability and commands. `room`: isRoomLevel. */
export function roomScope(room: string): string[] {
  return [`home/${room}/#`];
}

/**
 * A page that shows none of the home's readings (settings, the alerts page without its
 * rule form): discovery, alerts and known devices' topics still come (getSubscriptions).
 */
export const NO_READINGS: readonly string[] = [];

/**
 * The explorer's: its tree and payloads are polled from the hub (/api/topics), so of the
 * live stream it needs only what tells it which switches the page knows (an operator may
 * publish to their commands) and, while one is open, the chart's topic.
 */
export function explorerScope(selected: string | null): string[] {
  const devices = ["home/+/+/state", "home/+/+/availability"];
  return selected?.startsWith("home/") ? [...devices, selected] : devices;
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

/** Fewest topics one `+` filter must stand for to be subscribed in their place. */
export const COLLAPSE_AT = 4;

/**
 * `topics` (names, not filters) as few filters: wherever at least `at` of them differ in
 * one level only, one filter with `+` there stands for them all (review 10, F7). The page
 * subscribed one filter per topic a discovered device reports on, 122 for 60 Zigbee2MQTT
 * plugs, and the hub cut it off at 100; `zigbee2mqtt/+` and `zigbee2mqtt/+/availability`
 * now stand for them. `+`, not `#`: `zigbee2mqtt/#` would bring the page Zigbee2MQTT's
 * bridge topics too (its device list and definitions are retained, hundreds of KiB). What
 * a filter brings beyond the topics is dropped by the store, which routes by exact topic.
 * A topic starting with `$` keeps its first level: `+` does not match it [MQTT-4.7.2-1].
 * Greedy, widest filter first, one pass: linear in the topics, as the page recomputes it
 * for every discovered device.
 */
export function collapseTopics(topics: readonly string[], at: number = COLLAPSE_AT): string[] {
  const unique = [...new Set(topics)];
  const candidates = new Map<string, string[]>();
  for (const topic of unique) {
    for (const filter of plusFilters(topic)) {
      const covered = candidates.get(filter);
      if (covered) covered.push(topic);
      else candidates.set(filter, [topic]);
    }
  }
  const widest = [...candidates].filter(([, covered]) => covered.length >= at).sort(([fa, a], [fb, b]) => b.length - a.length || (fa < fb ? -1 : 1));
  const taken = new Set<string>();
  const filters: string[] = [];
  for (const [filter, covered] of widest) {
    if (covered.filter((t) => !taken.has(t)).length < at) continue;
    filters.push(filter);
    for (const t of covered) taken.add(t);
  }
  return [...filters, ...unique.filter((t) => !taken.has(t))].sort();
}

/** The filters with `+` at one level of `topic`. */
function plusFilters(topic: string): string[] {
  const levels = topic.split("/");
  const filters: string[] = [];
  for (let i = topic.startsWith("$") ? 1 : 0; i < levels.length; i++) {
    const level = levels[i];
    levels[i] = "+";
    filters.push(levels.join("/"));
    levels[i] = level;
  }
  return filters;
}

/** The scopes a page's components declared now, and the subscriptions they add up to. */
export type ScopeBook = {
  /** The home filters of the scopes watched now and `extraTopics` beyond them (collapseTopics), sorted. */
  subscriptions(): readonly string[];
  /** Narrows the home topics to `filters` (with every other watcher's) until the returned function is called. */
  watch(filters: readonly string[]): () => void;
  /** Recomputes the subscriptions (the extra topics changed); whether they changed. Listeners are not told. */
  refresh(): boolean;
  /** Tells the listeners that the subscriptions changed. */
  notify(): void;
  subscribe(listener: () => void): () => void;
};

/**
 * `extraTopics(home)`: the topics beyond the home filters `home` that the page needs too
 * (known devices that report outside `home/`, lib/devices/live-registry.ts).
 */
export function createScopeBook(extraTopics: (home: readonly string[]) => readonly string[]): ScopeBook {
  /** The filters each mounted watcher declared (watch()). */
  const scopes = new Set<readonly string[]>();
  const listeners = new Set<() => void>();
  /** The last extra topics and their filters: refresh() runs at every flush of the store, and they rarely change. */
  let extra: readonly string[] = [];
  let extraFilters: string[] = [];
  let subscriptions: readonly string[] = wanted();

  function wanted(): string[] {
    const home = scopeFilters([...scopes]);
    const topics = extraTopics(home);
    if (topics.length !== extra.length || topics.some((t, i) => t !== extra[i])) {
      extra = topics;
      extraFilters = collapseTopics(topics);
    }
    return [...home, ...extraFilters].sort();
  }

  function refresh(): boolean {
    const next = wanted();
    if (next.join("\n") === subscriptions.join("\n")) return false;
    subscriptions = next;
    return true;
  }

  function notify(): void {
    for (const listener of listeners) listener();
  }

  function watch(filters: readonly string[]): () => void {
    // A copy per call: two components watching equal filters release independently.
    const scope = [...filters];
    scopes.add(scope);
    if (refresh()) notify();
    return () => {
      if (!scopes.delete(scope)) return;
      if (refresh()) notify();
    };
  }

  return {
    subscriptions: () => subscriptions,
    watch,
    refresh,
    notify,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

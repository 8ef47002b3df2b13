// The explorer's search and payload view, pure (issue 15): what MQTT Explorer users
// expect — type part of a topic or a value to narrow the tree, or an MQTT filter
// (home/+/temperature) to match as the broker would; a JSON payload reads pretty-printed.
import { checkTopicFilter, topicMatches } from "./topics";

/** The topics a search keeps: all for an empty query; a valid filter with + or # matches by MQTT rules, else by substring of topic or value. */
export function searchTopics<S extends { topic: string; preview: string }>(stats: readonly S[], query: string): S[] {
  const q = query.trim();
  if (q === "") return [...stats];
  if ((q.includes("+") || q.includes("#")) && checkTopicFilter(q).ok) return stats.filter((s) => topicMatches(q, s.topic));
  const needle = q.toLowerCase();
  return stats.filter((s) => s.topic.toLowerCase().includes(needle) || s.preview.toLowerCase().includes(needle));
}

export type PayloadView = { kind: "json"; text: string } | { kind: "text"; text: string } | { kind: "empty" };

/** A payload as a person reads it: JSON objects and arrays indented, anything else as sent. */
export function payloadView(text: string): PayloadView {
  if (text === "") return { kind: "empty" };
  const trimmed = text.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return { kind: "json", text: JSON.stringify(JSON.parse(trimmed), null, 2) };
    } catch {
      // Not JSON after all (or cut short): shown as it came.
    }
  }
  return { kind: "text", text };
}

/**
 * What the alert-rule form offers as you type a topic: every known reading topic,
 * and for each measurement the filter over every room (home/+/temperature), first.
 */
export function ruleTopicSuggestions(topics: readonly string[]): string[] {
  const filters = new Set<string>();
  for (const topic of topics) {
    const levels = topic.split("/");
    if (levels.length === 3 && levels[0] === "home") filters.add(`home/+/${levels[2]}`);
  }
  return [...[...filters].sort(), ...[...topics].sort()];
}

/**
 * The unit a rule's threshold is in: that of the first known topic the filter
 * matches, else the one a measurement's name implies (`inferUnit`); "" when unknown.
 */
export function unitForFilter(filter: string, units: ReadonlyMap<string, string>, inferUnit: (measurement: string) => string): string {
  const f = filter.trim();
  if (!checkTopicFilter(f).ok) return "";
  for (const [topic, unit] of units) if (unit && topicMatches(f, topic)) return unit;
  const last = f.split("/").at(-1) ?? "";
  return last === "+" || last === "#" ? "" : inferUnit(last);
}

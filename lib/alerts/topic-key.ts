// Each (rule, topic) alert is published on `hearth/alerts/<rule-id>/<topic-key>`:
// the watched topic squeezed into one topic level. Percent-encoding only the
// characters that would break a level (`/`, the wildcards `+` and `#`) and `%`
// itself keeps the key readable and exactly reversible.

export const ALERTS_PREFIX = "hearth/alerts";

/** `home/attic/temperature` → `home%2Fattic%2Ftemperature`. */
export function encodeTopicKey(topic: string): string {
  return topic.replace(/[%/+#]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}

/** The inverse of encodeTopicKey; null for a key it could not have made. */
export function decodeTopicKey(key: string): string | null {
  if (/[/+#]/.test(key) || /%(?![0-9A-F]{2})/.test(key)) return null;
  const topic = key.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return encodeTopicKey(topic) === key ? topic : null;
}

/** The retained topic carrying one alert's state. */
export function alertTopic(ruleId: string, topic: string): string {
  return `${ALERTS_PREFIX}/${ruleId}/${encodeTopicKey(topic)}`;
}

/** `hearth/alerts/<rule-id>/<topic-key>` → its parts; null for any other topic. */
export function parseAlertTopic(topic: string): { ruleId: string; topic: string } | null {
  const prefix = `${ALERTS_PREFIX}/`;
  if (!topic.startsWith(prefix)) return null;
  const rest = topic.slice(prefix.length).split("/");
  if (rest.length !== 2 || rest[0] === "") return null;
  const watched = decodeTopicKey(rest[1]);
  return watched === null || watched === "" ? null : { ruleId: rest[0], topic: watched };
}

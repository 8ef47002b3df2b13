// The one place that knows MQTT topic syntax (MQTT 3.1.1 §4.7) and Hearth's
// topic convention. The recorder, the browser store, and later the ACL and the
// device registry all call these functions instead of splitting topics themselves.

/** MQTT 3.1.1 §4.7.3: topic names and filters are 1..65535 bytes of UTF-8. */
export const MAX_TOPIC_BYTES = 65535;

/** Hearth refuses absurdly deep topics (aedes 1.1.3 fixed a topic-depth DoS). */
export const MAX_TOPIC_LEVELS = 32;

/**
 * Why a topic or filter is refused: a stable code (and the limit it broke) the
 * dashboard words in its own language, and `reason`, the English for logs and the API.
 */
export type TopicProblem =
  | { code: "empty" | "nul" | "wildcard-in-name" | "hash-not-last" | "plus-not-whole"; reason: string }
  | { code: "too-long" | "too-deep"; limit: number; reason: string };
export type TopicProblemCode = TopicProblem["code"];

export type TopicCheck = { ok: true } | ({ ok: false } & TopicProblem);

const ok: TopicCheck = { ok: true };
const utf8 = new TextEncoder();

function checkCommon(topic: string): TopicCheck {
  if (topic.length === 0) return { ok: false, code: "empty", reason: "topic is empty" };
  if (topic.includes("\u0000")) return { ok: false, code: "nul", reason: "topic contains a NUL character" };
  // A UTF-8 character is at most 3 bytes per UTF-16 unit, so only long topics need encoding.
  if (topic.length * 3 > MAX_TOPIC_BYTES && utf8.encode(topic).length > MAX_TOPIC_BYTES) {
    return { ok: false, code: "too-long", limit: MAX_TOPIC_BYTES, reason: `topic is longer than ${MAX_TOPIC_BYTES} bytes` };
  }
  // Counted without splitting: the broker checks every PUBLISH's topic.
  let levels = 1;
  for (let at = topic.indexOf("/"); at !== -1; at = topic.indexOf("/", at + 1)) {
    if (++levels > MAX_TOPIC_LEVELS) {
      return { ok: false, code: "too-deep", limit: MAX_TOPIC_LEVELS, reason: `topic has more than ${MAX_TOPIC_LEVELS} levels` };
    }
  }
  return ok;
}

/** A topic name, as published: no wildcards allowed (§4.7.1.1). */
export function checkTopicName(topic: string): TopicCheck {
  const common = checkCommon(topic);
  if (!common.ok) return common;
  if (topic.includes("+") || topic.includes("#")) {
    return { ok: false, code: "wildcard-in-name", reason: "a topic name may not contain the wildcards + or #" };
  }
  return ok;
}

/** A topic filter, as subscribed: `+` fills a whole level, `#` is last and fills a whole level. */
export function checkTopicFilter(filter: string): TopicCheck {
  const common = checkCommon(filter);
  if (!common.ok) return common;
  const levels = filter.split("/");
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    if (level.includes("#") && (level !== "#" || i !== levels.length - 1)) {
      return { ok: false, code: "hash-not-last", reason: "# must be the whole last level of a filter" };
    }
    if (level.includes("+") && level !== "+") {
      return { ok: false, code: "plus-not-whole", reason: "+ must fill a whole level of a filter" };
    }
  }
  return ok;
}

/**
 * Does `topic` match `filter`? Follows §4.7: `+` matches exactly one level (an
 * empty one too), `#` matches the parent level and everything below it, and a
 * filter starting with a wildcard never matches a topic starting with `$` (§4.7.2).
 * The filter is assumed valid (see checkTopicFilter).
 */
export function topicMatches(filter: string, topic: string): boolean {
  // `#` (the anonymous ACL's default, issue 12) needs no levels at all.
  if (filter === "#") return !topic.startsWith("$");
  return levelsMatch(filter.split("/"), topic, topicLevels(topic));
}

/** A filter split once, to test many topics against (see topicMatches). */
export type CompiledFilter = (topic: string, levels: readonly string[]) => boolean;

/**
 * topicMatches for a subscriber that tests every message against the same filter:
 * the filter is split once, and the topic's levels (topicLevels) are split once by
 * the caller for all its filters. `#` alone needs no levels at all.
 */
export function compileTopicFilter(filter: string): CompiledFilter {
  if (filter === "#") return (topic) => !topic.startsWith("$");
  const f = filter.split("/");
  return (topic, levels) => levelsMatch(f, topic, levels);
}

function levelsMatch(f: readonly string[], topic: string, t: readonly string[]): boolean {
  if ((f[0] === "+" || f[0] === "#") && topic.startsWith("$")) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length) return false;
    if (f[i] !== "+" && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * Is every topic `filter` can match also matched by `own`? (Both valid filters.) The
 * ACL uses it to keep a device's subscriptions inside the topics it was given.
 */
export function filterWithin(filter: string, own: string): boolean {
  const f = filter.split("/");
  const o = own.split("/");
  for (let i = 0; i < f.length; i++) {
    const ol = o[i];
    if (ol === undefined) return false;
    if (ol === "#") return true;
    if (f[i] === "#") return false;
    if (ol === "+") continue;
    if (f[i] === "+" || f[i] !== ol) return false;
  }
  return f.length === o.length || (o.length === f.length + 1 && o[f.length] === "#");
}

// ---- Hearth's convention: home/<room>/<measurement>, home/<room>/<device>/<suffix>

export type HomeTopic =
  | { readonly kind: "measurement"; readonly room: string; readonly measurement: string }
  | { readonly kind: "state" | "set" | "availability"; readonly room: string; readonly device: string };

/** Room, device and measurement names: what devices in the wild actually use. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_\-.]{0,63}$/;

// The hub's services each read the topic of the message in hand (the recorder, the
// alert engine): the last answer is kept, so a message's topic is parsed once.
let lastTopic: string | null = null;
let lastHome: HomeTopic | null = null;

/** Reads a topic under Hearth's convention; anything else (including `$SYS/…`) is null. The result is shared: read-only. */
export function parseHomeTopic(topic: string): HomeTopic | null {
  if (topic !== lastTopic) {
    lastHome = readHomeTopic(topic);
    lastTopic = topic;
  }
  return lastHome;
}

function readHomeTopic(topic: string): HomeTopic | null {
  const levels = topicLevels(topic);
  if (levels[0] !== "home") return null;
  if (levels.length === 3) {
    const [, room, measurement] = levels;
    if (!NAME.test(room) || !NAME.test(measurement)) return null;
    return { kind: "measurement", room, measurement };
  }
  if (levels.length === 4) {
    const [, room, device, suffix] = levels;
    if (!NAME.test(room) || !NAME.test(device)) return null;
    if (suffix === "state" || suffix === "set" || suffix === "availability") {
      return { kind: suffix, room, device };
    }
  }
  return null;
}

/**
 * Whether a home/<x>/<measurement> topic is the shape a gateway publishes its own status
 * in, not a sensor. OpenMQTTGateway (main/User_config.h) and Theengs Gateway publish under
 * the base topic home/ by default: `home/<Gateway_Name>/LWT` (will_Topic, "online" /
 * "offline"), `…/version`, `…/SYStoMQTT` and `…/RLStoMQTT` (JSON), and one `…/<module>toMQTT`
 * per gateway module (subjectMultiGTWKey "toMQTT": RFtoMQTT, IRtoMQTT, LORAtoMQTT…). Such
 * a topic becomes a sensor only once it carries a number (review-10 F10); any other
 * measurement topic is one from its first message, text or not (review-13 F5). Case
 * matters: these are OpenMQTTGateway's spellings.
 */
export function isGatewayStatus(measurement: string): boolean {
  return measurement === "LWT" || measurement === "version" || measurement.endsWith("toMQTT");
}

/**
 * OpenMQTTGateway's modules that pass on a code they received, not a measurement, though
 * the code sits where a reading's number would (docs/use/rf.md, ir.md, serial.md; main/config_*.h):
 *  - `433toMQTT`, RCSwitch: a 433 MHz remote's `{"value":1315156,"protocol":1,"length":24,"delay":317}`,
 *    and, as plain text, the code it was asked to send (gatewayRF.cpp acknowledges on the same topic);
 *  - `SRFBtoMQTT`, the Sonoff RF Bridge: `{"raw":"2B66…","value":"59365","delay":"1111",…}`;
 *  - `IRtoMQTT`: an infrared remote's `{"value":875849879,"protocol":7,"bits":32,…}`;
 *  - `SERIALtoMQTT`, `RS232toMQTT`: what a serial device answered, `{"value":"1"}`, `{"value":"!:N"}`.
 * (`RFtoMQTT` is the RF receiver's own status, `{"frequency":433.92,…}`: no value in it.) The
 * measuring modules (`ADCtoMQTT`, `DHTtoMQTT`, `LIGHTtoMQTT`…) are not among them.
 */
const GATEWAY_CODES: ReadonlySet<string> = new Set(["433toMQTT", "SRFBtoMQTT", "IRtoMQTT", "SERIALtoMQTT", "RS232toMQTT"]);

/** Whether a home/<x>/<measurement> topic is an OpenMQTTGateway module's that carries received codes: never a reading. */
export function isGatewayCode(measurement: string): boolean {
  return GATEWAY_CODES.has(measurement);
}

/** Levels whose plain capitalisation reads wrong. */
const LABELS: Record<string, string> = {
  co2: "CO₂",
  voc: "VOC",
  pm25: "PM2.5",
  pm10: "PM10",
  tv: "TV",
};

/** "living_room" → "Living room": a readable label from a topic level. */
export function labelFromLevel(level: string): string {
  const known = LABELS[level.toLowerCase()];
  if (known) return known;
  const words = level.replace(/[_\-.]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A level as a word inside a label ("Office CO₂", "Kitchen temperature"): known labels keep their spelling. */
export function inlineLabelFromLevel(level: string): string {
  return LABELS[level.toLowerCase()] ?? labelFromLevel(level).toLowerCase();
}

// The broker's ACL, its subscription trie, the bus and the recorder each need the levels
// of the message in hand: the last answer is kept, so a PUBLISH's topic is split once
// (three splits were ~0.5 KB of garbage a message; bench/README.md, issue 12, fifth pass).
let lastSplit = "";
let lastLevels: readonly string[] = [""];

/** A topic's levels, in order: the one place outside matching that splits a topic. Shared: read-only. */
export function topicLevels(topic: string): readonly string[] {
  if (topic !== lastSplit) {
    lastLevels = topic.split("/");
    lastSplit = topic;
  }
  return lastLevels;
}

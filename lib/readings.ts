// Wire bytes → a typed Reading, in one place. The recorder (server) and the live
// store (browser) both call parseReading; nothing downstream looks at payloads.
import type { ValueTemplate } from "./devices/value-template";
import { evaluateTemplate } from "./devices/value-template-eval";
import { NOT_JSON, NOT_UTF8, parseJsonText, type PayloadSource } from "./payload-json";
import { MAX_STATE_BYTES } from "./devices/last-states";

export type Reading = {
  readonly topic: string;
  readonly room: string;
  readonly measurement: string;
  readonly value: number;
  /** Display unit: from the payload, else inferred from the measurement name, else "". */
  readonly unit: string;
  /** Epoch ms: the payload's own `ts` when it has a sensible one, else the time it was received. */
  readonly ts: number;
};

/** "empty": the payload carries no value (nothing, or `nan`/`unknown`): nothing to show, not an error. */
export type UnreadableCode = "empty" | "too-large" | "not-utf8" | "not-a-number" | "bad-json";

export type ReadingOptions = {
  /** A discovered sensor's value_template (`{{ value_json.temperature }}`), read instead of `value`. */
  template?: ValueTemplate;
  /** The device's declared unit; wins over the one inferred from the measurement. */
  unit?: string;
};

export type ParseResult =
  | { readonly ok: true; readonly reading: Reading }
  | { ok: false; code: UnreadableCode; message: string };

/**
 * A reading is a number, or a small JSON object; anything bigger is not a reading. A
 * discovered sensor that reads a field of its device's JSON state gets MAX_STATE_BYTES
 * (8 KiB), the bound every reader of device states keeps (last-states.ts, live-registry.ts).
 */
export const MAX_READING_BYTES = 1024;

/** Timestamps further than this into the future are a device with a wrong clock. */
const MAX_CLOCK_SKEW_MS = 24 * 60 * 60 * 1000;

const UNITS: Record<string, string> = {
  temperature: "°C",
  humidity: "%",
  pressure: "hPa",
  co2: "ppm",
  voc: "ppb",
  pm25: "µg/m³",
  pm10: "µg/m³",
  illuminance: "lx",
  light: "lx",
  lux: "lx",
  power: "W",
  energy: "kWh",
  voltage: "V",
  current: "A",
  battery: "%",
  noise: "dB",
  moisture: "%",
  wind: "m/s",
  rain: "mm",
};

/** The unit a measurement name implies: `temperature` → °C, `humidity` → %. */
export function inferUnit(measurement: string): string {
  return UNITS[measurement.toLowerCase()] ?? "";
}

/**
 * What devices say when they have no value: ESPHome publishes `nan` for a sensor that
 * failed, Home Assistant's own states are `unknown`/`unavailable`, a template's None is
 * `None`. "No value" (code "empty"), like an empty payload: not garbage (review-10 F11).
 */
const NO_VALUE = /^(?:nan|unknown|unavailable|none)$/i;

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
/** The default options, shared: a `= {}` default is an object per reading (issue 12). */
const NO_OPTIONS: ReadingOptions = {};

const decoder = new TextDecoder("utf-8", { fatal: true });

function toNumber(text: string): number | null {
  if (!NUMBER.test(text)) return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** `ts` as epoch seconds, epoch ms or an ISO string; null when absent or not sensible. */
function toTimestamp(raw: unknown, receivedAt: number): number | null {
  let ms: number | null = null;
  if (typeof raw === "number" && Number.isFinite(raw) && raw > 0) {
    ms = raw < 1e11 ? raw * 1000 : raw; // 1e11 s is the year 5138; 1e11 ms is 1973
  } else if (typeof raw === "string") {
    const parsed = Date.parse(raw);
    ms = Number.isNaN(parsed) ? null : parsed;
  }
  if (ms === null || ms > receivedAt + MAX_CLOCK_SKEW_MS) return null;
  return Math.round(ms);
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${n} bytes`;
}

/**
 * Parses a payload published on `home/<room>/<measurement>`: a bare number
 * (`23.5`) or JSON `{"value":23.5,"unit":"°C","ts":…}`. With `options.template` (a
 * discovered sensor's value_template) the number is what the template gives. `source`: the
 * message the payload came in, whose text and JSON are worked out once for every reader
 * (review-14 F4); without one, the payload is decoded (and parsed) here.
 */
export function parseReading(
  topic: string,
  room: string,
  measurement: string,
  payload: Uint8Array,
  receivedAt: number,
  options: ReadingOptions = NO_OPTIONS,
  source?: PayloadSource,
): ParseResult {
  if (payload.byteLength === 0) {
    return { ok: false, code: "empty", message: "empty payload" };
  }
  // A field read from a device's whole JSON state may sit in a larger payload (review-10 F12: a
  // Zigbee2MQTT thermostat's schedules, `update` block or device information pass 1 KiB).
  const max = options.template ? MAX_STATE_BYTES : MAX_READING_BYTES;
  if (payload.byteLength > max) {
    const what = options.template ? "a device state" : "a reading";
    return {
      ok: false,
      code: "too-large",
      message: `payload of ${formatBytes(payload.byteLength)} is larger than ${what} (${max} bytes at most)`,
    };
  }
  let text: string;
  if (source === undefined) {
    try {
      text = decoder.decode(payload).trim();
    } catch {
      return notUtf8();
    }
  } else {
    const decoded = source.text;
    if (decoded === NOT_UTF8) return notUtf8();
    text = decoded.trim();
  }
  if (NO_VALUE.test(text)) return { ok: false, code: "empty", message: `${JSON.stringify(text)} is no value` };
  // No closure for the result: one made on every message (and named, under tsx) showed in the hub's profile.
  const unit = options.unit;
  if (options.template) return templateReading(topic, room, measurement, text, options.template, unit, receivedAt, source);

  const plain = toNumber(text);
  if (plain !== null) return readingResult(topic, room, measurement, plain, unit, receivedAt);

  if (!text.startsWith("{")) {
    return { ok: false, code: "not-a-number", message: `payload ${JSON.stringify(text.slice(0, 40))} is not a number` };
  }
  const json = source ? source.json : parseJsonText(text);
  if (json === NOT_JSON) return { ok: false, code: "bad-json", message: "payload looks like JSON but does not parse" };
  const obj = json as Record<string, unknown>;
  const value =
    typeof obj.value === "number" && Number.isFinite(obj.value)
      ? obj.value
      : typeof obj.value === "string"
        ? toNumber(obj.value.trim())
        : null;
  if (value === null) {
    return { ok: false, code: "bad-json", message: 'JSON payload has no numeric "value"' };
  }
  const own = typeof obj.unit === "string" && obj.unit.length <= 16 ? obj.unit : undefined;
  return readingResult(topic, room, measurement, value, own ?? unit, toTimestamp(obj.ts, receivedAt) ?? receivedAt);
}

function notUtf8(): ParseResult {
  return { ok: false, code: "not-utf8", message: "payload is not UTF-8 text" };
}

/** `unit` undefined: the one the measurement name implies. */
function readingResult(topic: string, room: string, measurement: string, value: number, unit: string | undefined, ts: number): ParseResult {
  return { ok: true, reading: { topic, room, measurement, value, unit: unit ?? inferUnit(measurement), ts } };
}

/**
 * A reading through a value_template. A message the template has no value in (OpenMQTTGateway's
 * `| is_defined` on a message without the key) is "empty": nothing to show, not an error.
 */
function templateReading(
  topic: string,
  room: string,
  measurement: string,
  text: string,
  template: ValueTemplate,
  unit: string | undefined,
  receivedAt: number,
  source: PayloadSource | undefined,
): ParseResult {
  const result = evaluateTemplate(template, text, source);
  if (!result.ok) {
    if (result.code === "skip") return { ok: false, code: "empty", message: result.message };
    return { ok: false, code: result.code === "missing" ? "bad-json" : "not-a-number", message: result.message };
  }
  const raw = result.value;
  if (Number.isNaN(raw) || (typeof raw === "string" && NO_VALUE.test(raw.trim())) || raw === null) {
    return { ok: false, code: "empty", message: `${JSON.stringify(String(raw))} is no value` };
  }
  const value = typeof raw === "number" && Number.isFinite(raw) ? raw : typeof raw === "string" ? toNumber(raw.trim()) : null;
  if (value === null) {
    return { ok: false, code: "not-a-number", message: `value ${JSON.stringify(String(raw).slice(0, 40))} is not a number` };
  }
  return readingResult(topic, room, measurement, value, unit, receivedAt);
}

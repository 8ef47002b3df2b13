// Home Assistant discovery payloads may abbreviate their keys (`stat_t` for
// `state_topic`) and say `~` for a base topic; both are undone here, before any
// validation, for per-component configs and for each component of a device config alike.
// The tables are homeassistant/components/mqtt/abbreviations.py, the keys Hearth reads.

const ABBREVIATIONS: Record<string, string> = {
  avty: "availability",
  avty_mode: "availability_mode",
  avty_t: "availability_topic",
  avty_tpl: "availability_template",
  cmd_t: "command_topic",
  cmd_tpl: "command_template",
  // Device-based discovery (HA 2024.11): the components map and each component's platform.
  cmps: "components",
  dev: "device",
  dev_cla: "device_class",
  en: "enabled_by_default",
  ic: "icon",
  json_attr_t: "json_attributes_topic",
  o: "origin",
  obj_id: "object_id",
  opt: "optimistic",
  p: "platform",
  pl_avail: "payload_available",
  pl_not_avail: "payload_not_available",
  pl_off: "payload_off",
  pl_on: "payload_on",
  ret: "retain",
  stat_cla: "state_class",
  stat_off: "state_off",
  stat_on: "state_on",
  stat_t: "state_topic",
  stat_tpl: "state_template",
  stat_val_tpl: "state_value_template",
  t: "topic",
  uniq_id: "unique_id",
  unit_of_meas: "unit_of_measurement",
  val_tpl: "value_template",
};

const DEVICE_ABBREVIATIONS: Record<string, string> = {
  cns: "connections",
  ids: "identifiers",
  mf: "manufacturer",
  mdl: "model",
  sa: "suggested_area",
  sw: "sw_version",
  hw: "hw_version",
  cu: "configuration_url",
};

export const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

function expandKeys(obj: Record<string, unknown>, table: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) out[Object.hasOwn(table, key) ? table[key] : key] = value;
  return out;
}

/** A config's own keys unabbreviated (not its device's nor its availability list's). */
export const expandTopKeys = (obj: Record<string, unknown>): Record<string, unknown> => expandKeys(obj, ABBREVIATIONS);

/** `~` at the start or end of a `…_topic` value stands for the base topic (HA's own rule). */
function substituteBase(obj: Record<string, unknown>, base: string | undefined): Record<string, unknown> {
  if (base === undefined) return obj;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if ((key === "topic" || key.endsWith("_topic")) && typeof value === "string") {
      out[key] = value.startsWith("~") ? base + value.slice(1) : value.endsWith("~") ? value.slice(0, -1) + base : value;
    } else out[key] = value;
  }
  return out;
}

/** Abbreviations expanded and `~` substituted, in the config, its availability list and its device. */
export function expandDiscoveryConfig(raw: Record<string, unknown>): Record<string, unknown> {
  const expanded = expandKeys(raw, ABBREVIATIONS);
  const base = typeof expanded["~"] === "string" ? (expanded["~"] as string) : undefined;
  const config = substituteBase(expanded, base);
  if (Array.isArray(config.availability)) {
    config.availability = config.availability.map((entry) =>
      isRecord(entry) ? substituteBase(expandKeys(entry, ABBREVIATIONS), base) : entry,
    );
  }
  if (isRecord(config.device)) config.device = expandKeys(config.device, DEVICE_ABBREVIATIONS);
  return config;
}

// Home Assistant MQTT discovery (https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery):
// a retained `homeassistant/<component>/[<node_id>/]<object_id>/config` message describes
// one entity; an empty one removes it. Zigbee2MQTT, Tasmota and ESPHome announce
// their devices this way; newer firmware may announce a whole device in one
// `homeassistant/device/<object_id>/config` (ha-device-discovery.ts). The payload is
// validated here, once: abbreviations are expanded and `~` substituted first, then zod
// checks the result and the rest of Hearth trusts the typed `DiscoveredEntity`.
import { z } from "zod";
import { checkTopicName } from "../topics";
import { expandDiscoveryConfig, isRecord } from "./ha-abbreviations";
import { splitDeviceConfig } from "./ha-device-discovery";
import { parseTemplate, type ValueTemplate } from "./value-template";

export { expandDiscoveryConfig } from "./ha-abbreviations";

export const DISCOVERY_PREFIX = "homeassistant";
/** Hearth publishes `online` here on start, as Home Assistant does (its "birth message"). */
export const DISCOVERY_STATUS_TOPIC = `${DISCOVERY_PREFIX}/status`;

export const DISCOVERY_COMPONENTS = ["switch", "light", "sensor", "binary_sensor"] as const;
export type DiscoveryComponent = (typeof DISCOVERY_COMPONENTS)[number];

/** Z2M configs are 1–3 kB; anything past this is not a discovery config. */
export const MAX_DISCOVERY_BYTES = 16 * 1024;
/** A device config carries all its components: up to MAX_DEVICE_COMPONENTS of a few hundred bytes each. */
export const MAX_DEVICE_DISCOVERY_BYTES = 64 * 1024;
/** The topic level that makes a config a device-based one (`homeassistant/device/<object_id>/config`). */
const DEVICE = "device";

export type AvailabilitySource = {
  readonly topic: string;
  readonly online: string;
  readonly offline: string;
  /** The entry's value_template; null reads the payload as is. */
  readonly template: ValueTemplate | null;
};

export type AvailabilityMode = "latest" | "any" | "all";

export type DiscoveredDevice = {
  readonly name: string | null;
  readonly suggestedArea: string | null;
  readonly identifiers: readonly string[];
  readonly manufacturer: string | null;
  readonly model: string | null;
};

export type DiscoveredEntity = {
  /** `<component>/[<node_id>/]<object_id>`: the discovery topic without prefix and `/config`. */
  readonly id: string;
  readonly component: DiscoveryComponent;
  readonly uniqueId: string | null;
  /** The friendly name, as Home Assistant builds it: device name, then entity name. */
  readonly name: string;
  readonly stateTopic: string | null;
  /** The value_template that reads the state or value from a payload; null: the payload itself. */
  readonly stateTemplate: ValueTemplate | null;
  readonly commandTopic: string | null;
  /** What to publish on the command topic. */
  readonly commandOn: string;
  readonly commandOff: string;
  /** What the state topic says (after `stateTemplate`). */
  readonly stateOn: string;
  readonly stateOff: string;
  readonly unit: string | null;
  readonly deviceClass: string | null;
  readonly availability: readonly AvailabilitySource[];
  readonly availabilityMode: AvailabilityMode;
  readonly device: DiscoveredDevice | null;
  /**
   * false: its publisher marks it hidden until someone wants it (Zigbee2MQTT's diagnostic
   * counters, ESPHome's `disabled_by_default` as `en: false`); HA creates it disabled.
   */
  readonly enabledByDefault: boolean;
  /**
   * Other topics that report the same state, each read through its own template: a Tasmota
   * relay's `stat/<t>/RESULT` and `tele/<t>/STATE` JSON beside its plain `stat/<t>/POWER<n>`
   * (tasmota-discovery.ts). Home Assistant's discovery has one state topic: none.
   */
  readonly moreStates?: readonly StateSource[];
  /**
   * What asks the device for its state, sent by the hub when the entity's availability says
   * online (Tasmota: `cmnd/<t>/STATE`, as hatasmota's poll_status); none for Home Assistant's.
   */
  readonly poll?: StatePoll;
};

export type StateSource = { readonly topic: string; readonly template: ValueTemplate };
export type StatePoll = { readonly topic: string; readonly payload: string };

export type DiscoveryErrorCode =
  | "not-discovery"
  | "unsupported-component"
  | "too-large"
  | "bad-json"
  | "invalid-config"
  | "unsupported-template"
  | "unsupported-schema";

/** A component of a device config left out, and why (the others are shown). */
export type SkippedComponent = { readonly id: string; readonly code: DiscoveryErrorCode; readonly message: string };

/**
 * What one retained discovery message says: the entities its topic describes now (one for
 * a per-component config, those of every component for a device config), or that they are
 * gone. `id` is the topic without prefix and `/config`, `switch/lamp` or `device/gw01`:
 * a consumer keeps each topic's entities under it, so a new config replaces all of them.
 */
export type DiscoveryResult =
  | { ok: true; kind: "config"; id: string; entities: DiscoveredEntity[]; skipped: SkippedComponent[] }
  | { ok: true; kind: "remove"; id: string }
  | { ok: false; id: string | null; code: DiscoveryErrorCode; message: string };

const topic = z
  .string()
  .superRefine((t, ctx) => {
    const check = checkTopicName(t);
    if (!check.ok) ctx.addIssue({ code: "custom", message: check.reason });
  });
// Zigbee2MQTT announces contact sensors with `payload_on: false`: payloads compare as text.
const payload = z.union([z.string().max(256), z.number(), z.boolean()]).transform(String);
const text = (max: number) => z.string().max(max);

const schema = z.object({
  name: text(128).nullable().optional(),
  unique_id: z.union([text(256), z.number()]).transform(String).optional(),
  state_topic: topic.optional(),
  command_topic: topic.optional(),
  value_template: text(512).optional(),
  state_value_template: text(512).optional(),
  payload_on: payload.optional(),
  payload_off: payload.optional(),
  state_on: payload.optional(),
  state_off: payload.optional(),
  unit_of_measurement: text(32).nullable().optional(),
  device_class: text(64).nullable().optional(),
  schema: text(32).optional(),
  enabled_by_default: z.boolean().optional(),
  availability_topic: topic.optional(),
  payload_available: payload.optional(),
  payload_not_available: payload.optional(),
  availability: z
    .array(
      z.object({
        topic,
        payload_available: payload.optional(),
        payload_not_available: payload.optional(),
        value_template: text(512).optional(),
      }),
    )
    .max(16)
    .optional(),
  availability_mode: z.enum(["latest", "any", "all"]).optional(),
  device: z
    .object({
      name: text(128).nullable().optional(),
      suggested_area: text(128).nullable().optional(),
      identifiers: z.union([text(256), z.array(text(256)).max(16)]).optional(),
      manufacturer: text(128).nullable().optional(),
      model: text(128).nullable().optional(),
    })
    .optional(),
});

type Config = z.infer<typeof schema>;

/** `homeassistant/switch/lamp/config` → `switch/lamp` (`homeassistant/device/gw01/config` → `device/gw01`); null for any other topic. */
export function discoveryId(topicName: string): { id: string; component: string } | null {
  const levels = topicName.split("/");
  if (levels[0] !== DISCOVERY_PREFIX || levels.at(-1) !== "config") return null;
  if (levels.length !== 4 && levels.length !== 5) return null;
  if (levels.slice(1, -1).some((level) => !/^[A-Za-z0-9_-]+$/.test(level))) return null;
  return { id: levels.slice(1, -1).join("/"), component: levels[1] };
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function friendlyName(config: Config, objectId: string): string {
  const device = config.device?.name?.trim() || null;
  const entity = config.name?.trim() || null;
  if (entity && device && !entity.toLowerCase().startsWith(device.toLowerCase())) return `${device} ${entity}`;
  return entity ?? device ?? objectId;
}

/** Zigbee2MQTT's JSON-schema lights report `{"state":"ON"}`. */
const JSON_LIGHT_STATE = (parseTemplate("{{ value_json.state }}") as { ok: true; template: ValueTemplate }).template;

function template(source: string | undefined, what: string): { ok: true; template: ValueTemplate | null } | { ok: false; message: string } {
  if (source === undefined) return { ok: true, template: null };
  const parsed = parseTemplate(source);
  if (parsed.ok) return { ok: true, template: parsed.template };
  return { ok: false, message: `${what} ${JSON.stringify(source.slice(0, 80))}: Hearth does not understand ${parsed.notUnderstood}` };
}

export function parseDiscovery(topicName: string, bytes: Uint8Array): DiscoveryResult {
  const where = discoveryId(topicName);
  if (!where) return { ok: false, id: null, code: "not-discovery", message: "not a discovery config topic" };
  const { id, component } = where;
  if (bytes.byteLength === 0) return { ok: true, kind: "remove", id };
  const fail = (code: DiscoveryErrorCode, message: string): DiscoveryResult => ({ ok: false, id, code, message });
  if (component !== DEVICE && !isShown(component)) return fail("unsupported-component", unsupported(component));
  const max = component === DEVICE ? MAX_DEVICE_DISCOVERY_BYTES : MAX_DISCOVERY_BYTES;
  if (bytes.byteLength > max) return fail("too-large", `config of ${bytes.byteLength} bytes is larger than ${max}`);
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(bytes));
  } catch {
    return fail("bad-json", "config is not JSON");
  }
  if (!isRecord(raw)) return fail("bad-json", "config is not a JSON object");
  if (component !== DEVICE) {
    const parsed = parseComponent(id, component, raw);
    return parsed.ok ? { ok: true, kind: "config", id, entities: [parsed.entity], skipped: [] } : fail(parsed.code, parsed.message);
  }
  const split = splitDeviceConfig(id, raw);
  if (!split.ok) return fail("invalid-config", split.message);
  const entities: DiscoveredEntity[] = [];
  const skipped: SkippedComponent[] = [...split.problems];
  // One component Hearth cannot show (a button, a bad template) leaves the others shown, as in HA.
  for (const c of split.components) {
    if (!isShown(c.platform)) {
      skipped.push({ id: c.id, code: "unsupported-component", message: unsupported(c.platform) });
      continue;
    }
    const parsed = parseComponent(c.id, c.platform, c.config);
    if (parsed.ok) entities.push(parsed.entity);
    else skipped.push({ id: c.id, code: parsed.code, message: parsed.message });
  }
  return { ok: true, kind: "config", id, entities, skipped };
}

const isShown = (component: string): component is DiscoveryComponent => (DISCOVERY_COMPONENTS as readonly string[]).includes(component);
const unsupported = (component: string) => `component ${JSON.stringify(component)} is not one Hearth shows (${DISCOVERY_COMPONENTS.join(", ")})`;

type ComponentResult = { ok: true; entity: DiscoveredEntity } | { ok: false; code: DiscoveryErrorCode; message: string };

/** One entity's config, abbreviations and all, as the entity `id` of a `component`. */
function parseComponent(id: string, component: DiscoveryComponent, raw: Record<string, unknown>): ComponentResult {
  const fail = (code: DiscoveryErrorCode, message: string): ComponentResult => ({ ok: false, code, message });
  const parsed = schema.safeParse(expandDiscoveryConfig(raw));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail("invalid-config", `${issue.path.join(".") || "config"}: ${issue.message}`);
  }
  const c = parsed.data;

  // Lights: the basic schema (HA's name for it since 2024; `default` before) is ON/OFF
  // text; the JSON schema (Zigbee2MQTT) sends and reports {"state":"ON"}. HA lower-cases
  // the name first (vol.Lower), so "JSON" is json. Brightness and colour are beyond an on/off toggle.
  const lightSchema = c.schema?.toLowerCase() ?? "basic";
  const jsonLight = component === "light" && lightSchema === "json";
  if (component === "light" && !["basic", "default", "json"].includes(lightSchema)) {
    return fail("unsupported-schema", `light schema ${JSON.stringify(c.schema)} is not supported (basic or json)`);
  }
  if ((component === "sensor" || component === "binary_sensor") && !c.state_topic) {
    return fail("invalid-config", `state_topic: a ${component} needs one`);
  }
  if (component === "light" && !c.command_topic) return fail("invalid-config", "command_topic: a light needs one");

  const stateTemplate = template(component === "light" ? c.state_value_template : c.value_template, "value_template");
  if (!stateTemplate.ok) return fail("unsupported-template", stateTemplate.message);
  const stateTemplateOf = jsonLight ? JSON_LIGHT_STATE : stateTemplate.template;

  const availability: AvailabilitySource[] = [];
  if (c.availability_topic) {
    availability.push({
      topic: c.availability_topic,
      online: c.payload_available ?? "online",
      offline: c.payload_not_available ?? "offline",
      template: null,
    });
  }
  for (const entry of c.availability ?? []) {
    const t = template(entry.value_template, "availability value_template");
    if (!t.ok) return fail("unsupported-template", t.message);
    availability.push({
      topic: entry.topic,
      online: entry.payload_available ?? "online",
      offline: entry.payload_not_available ?? "offline",
      template: t.template,
    });
  }

  const on = c.payload_on ?? "ON";
  const off = c.payload_off ?? "OFF";
  const identifiers = c.device?.identifiers;
  const entity: DiscoveredEntity = {
    id,
    component,
    uniqueId: c.unique_id ?? null,
    name: friendlyName(c, id.split("/").at(-1)!),
    stateTopic: c.state_topic ?? null,
    stateTemplate: stateTemplateOf,
    commandTopic: component === "sensor" || component === "binary_sensor" ? null : (c.command_topic ?? null),
    commandOn: jsonLight ? JSON.stringify({ state: "ON" }) : on,
    commandOff: jsonLight ? JSON.stringify({ state: "OFF" }) : off,
    stateOn: jsonLight ? "ON" : (c.state_on ?? on),
    stateOff: jsonLight ? "OFF" : (c.state_off ?? off),
    unit: c.unit_of_measurement?.trim() || null,
    deviceClass: c.device_class ?? null,
    availability,
    availabilityMode: c.availability_mode ?? "latest",
    enabledByDefault: c.enabled_by_default ?? true,
    device: c.device
      ? {
          name: c.device.name?.trim() || null,
          suggestedArea: c.device.suggested_area?.trim() || null,
          identifiers: identifiers === undefined ? [] : typeof identifiers === "string" ? [identifiers] : identifiers,
          manufacturer: c.device.manufacturer ?? null,
          model: c.device.model ?? null,
        }
      : null,
  };
  return { ok: true, entity };
}

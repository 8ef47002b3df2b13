// Home Assistant's device-based discovery (HA 2024.11, https://www.home-assistant.io/integrations/mqtt/#device-discovery-payload):
// one retained `homeassistant/device/[<node_id>/]<object_id>/config` describes every entity
// of a device, as a `cmps` map of components, each with its platform `p`, beside one `dev`
// and `o` block and the options its components share. HA turns it into one per-component
// config each (discovery.py, async_discovery_message_received); so does this module, and
// ha-discovery.ts parses each as it parses a per-component one, so both forms give the
// same entities: the component `t` of device `gw01` is `sensor/gw01/t`, as if it had been
// announced on `homeassistant/sensor/gw01/t/config`.
import { expandTopKeys, isRecord } from "./ha-abbreviations";

/**
 * The options a device config's components inherit unless they set their own (HA's
 * schemas.py SHARED_OPTIONS; qos, encoding and message_expiry_interval, which Hearth does
 * not read, left out). `device` and `origin` are the device's and cannot be overridden.
 */
const SHARED_OPTIONS = [
  "availability",
  "availability_mode",
  "availability_template",
  "availability_topic",
  "command_topic",
  "payload_available",
  "payload_not_available",
  "state_topic",
] as const;

/** More components than any device has; a bound on the work one message can ask for. */
export const MAX_DEVICE_COMPONENTS = 256;

/** One component of a device config, as the per-component config it stands for (abbreviations still to expand). */
export type DeviceComponent = { readonly id: string; readonly platform: string; readonly config: Record<string, unknown> };

export type ComponentProblem = { readonly id: string; readonly code: "invalid-config"; readonly message: string };

export type DeviceSplit =
  | { ok: true; components: DeviceComponent[]; problems: ComponentProblem[] }
  | { ok: false; message: string };

const LEVEL = /^[A-Za-z0-9_-]+$/;

/**
 * A device config's components, each merged with the shared options and the device and
 * origin blocks. `deviceId` is `device/[<node_id>/]<object_id>`. A component that is only
 * `{"p": …}` is how HA removes one from a device: it yields nothing, like one left out (the
 * retained config is all there is of the device after a restart, so what it omits is gone).
 */
export function splitDeviceConfig(deviceId: string, raw: Record<string, unknown>): DeviceSplit {
  const root = expandTopKeys(raw);
  const components = root.components;
  if (!isRecord(components)) return { ok: false, message: "components (cmps): a device config needs a map of its components" };
  const entries = Object.entries(components);
  if (entries.length > MAX_DEVICE_COMPONENTS) {
    return { ok: false, message: `components (cmps): ${entries.length} is more than ${MAX_DEVICE_COMPONENTS}` };
  }
  const shared: Record<string, unknown> = {};
  for (const option of SHARED_OPTIONS) if (root[option] !== undefined) shared[option] = root[option];
  const path = deviceId.split("/").slice(1).join("/");

  const result: DeviceComponent[] = [];
  const problems: ComponentProblem[] = [];
  for (const [key, value] of entries) {
    if (!isRecord(value)) {
      problems.push({ id: `${path}/${key}`, code: "invalid-config", message: `component ${JSON.stringify(key)} is not a JSON object` });
      continue;
    }
    const { platform, ...own } = expandTopKeys(value);
    const id = `${typeof platform === "string" ? platform : "?"}/${path}/${key}`;
    const fail = (message: string) => problems.push({ id, code: "invalid-config", message });
    if (typeof platform !== "string" || !LEVEL.test(platform)) fail("platform (p): each component needs one");
    else if (!LEVEL.test(key)) fail(`component id ${JSON.stringify(key.slice(0, 64))}: letters, digits, _ and - only`);
    else if (Object.keys(own).length === 0) continue; // removed from the device
    else if (own.unique_id === undefined) fail("unique_id (uniq_id): each component of a device config needs one, as Home Assistant requires");
    else result.push({ id, platform, config: { ...shared, ...own, device: root.device, origin: root.origin } });
  }
  return { ok: true, components: result, problems };
}

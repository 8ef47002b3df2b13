// What a new device account needs to get going, pure: the topic it gets when none
// is given, and a command line that proves the account works (issue 15). The form,
// its placeholders and `npm run hearth -- device add` all use these, so what a
// placeholder suggests is what the account gets.

/** Words that name what a device is rather than where it is: "kitchen-sensor" lives in the kitchen. */
const DEVICE_KINDS = ["sensor", "sensors", "switch", "plug", "light", "lamp", "thermometer", "thermostat", "node", "device", "esp", "esp32", "esp8266"];
const KIND_SUFFIX = new RegExp(`(?:[-_.](?:${DEVICE_KINDS.join("|")}))?(?:[-_.]?\\d+)?$`, "i");

/** The room a device's name points at: "kitchen-sensor" → "kitchen", "attic_plug-2" → "attic", "attic" → "attic". */
export function roomFromDeviceName(name: string): string {
  const room = name.replace(KIND_SUFFIX, "");
  return room === "" ? name : room;
}

/** The topic filter a device account gets when none is given: its room's, `home/<room>/#`. */
export function defaultDeviceTopics(name: string): string[] {
  return [`home/${roomFromDeviceName(name)}/#`];
}

/** A topic a device may publish under `filter`, for an example: `home/kitchen/#` → `home/kitchen/temperature`. */
export function exampleTopic(filter: string): string {
  const levels = filter.split("/").map((level) => (level === "+" ? "example" : level));
  if (levels.at(-1) === "#") levels[levels.length - 1] = levels.length === 3 ? "temperature" : "test";
  return levels.join("/");
}

/** POSIX shell single quotes: the password is safe to paste whatever it holds. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The hub's MQTT listeners as a device on the network reaches them. */
export type MqttAddress = { host: string; port: number; tls: boolean };

/** A `mosquitto_pub` line that publishes one reading as the new device, ready to paste. */
export function mosquittoPubLine(address: MqttAddress, device: { name: string; password: string; topics: readonly string[] }): string {
  const topic = exampleTopic(device.topics[0] ?? `home/${device.name}/#`);
  const parts = ["mosquitto_pub", "-h", address.host, "-p", String(address.port)];
  // A self-signed certificate (npm run hearth -- generate-cert) must be named to be trusted.
  if (address.tls) parts.push("--cafile", "hearth.crt");
  parts.push("-u", shellQuote(device.name), "-P", shellQuote(device.password), "-t", shellQuote(topic), "-m", "21.5");
  return parts.join(" ");
}

/**
 * The host name a device should use: the one the admin's browser reached the hub by
 * (a Host header: "hub.lan:3000", "[fe80::1]:3000"), since that name resolves on their network.
 */
export function hostFromHeader(host: string | null | undefined): string {
  if (!host) return "localhost";
  const bracketed = /^\[([^\]]+)\]/.exec(host);
  if (bracketed) return bracketed[1];
  return host.replace(/:\d+$/, "");
}

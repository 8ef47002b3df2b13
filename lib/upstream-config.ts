// An external MQTT broker for Hearth to attach to instead of being one (issue 14):
// HEARTH_MQTT_URL and its companions, or the config file's `upstream` section. Devices
// talk to that broker; the hub's services subscribe there with one persistent session
// (broker/upstream-bus.ts), and the browser's /mqtt is relayed to it.
import { hostname } from "node:os";
import path from "node:path";
import { z } from "zod";
import { ConfigError } from "./config-error";

export const UPSTREAM_PROTOCOLS = ["mqtt:", "mqtts:", "tcp:", "ssl:"] as const;

export type UpstreamConfig = {
  /** One broker, or several nodes of one cluster: tried in turn on each reconnect. */
  urls: string[];
  username: string | null;
  password: string | null;
  /** PEM files: the CA that signed the broker's certificate, and a client certificate and key. */
  caFile: string | null;
  certFile: string | null;
  keyFile: string | null;
  /** 5 (MQTT 5) or 4 (MQTT 3.1.1, for brokers without 5, like NATS 2.9). */
  protocolVersion: 4 | 5;
  /** Fixed, so the broker keeps this hub's session (subscriptions and queued QoS 1 readings) across restarts. */
  clientId: string;
};

function isBrokerUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (UPSTREAM_PROTOCOLS as readonly string[]).includes(url.protocol) && url.hostname !== "";
  } catch {
    return false;
  }
}

const brokerUrl = z.string().refine(isBrokerUrl, "must be an mqtt:// or mqtts:// URL, like mqtts://broker.lan:8883");
const urlList = z
  .string()
  .transform((v) => v.split(",").map((u) => u.trim()).filter((u) => u !== ""))
  .pipe(z.array(brokerUrl).min(1));
const protocolVersion = z.enum(["5", "4", "3.1.1"], "must be 5 or 3.1.1").transform((v) => (v === "5" ? 5 : 4) as 4 | 5);
// MQTT 3.1.1 §3.1.3.1: every broker must accept 1–23 of these; most accept more.
const clientId = z.string().regex(/^[0-9A-Za-z_-]{1,64}$/, "must be 1–64 letters, digits, - or _");

export const upstreamFileSchema = z.strictObject({
  url: brokerUrl.optional(),
  urls: z.array(brokerUrl).min(1).optional(),
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  caFile: z.string().min(1).optional(),
  certFile: z.string().min(1).optional(),
  keyFile: z.string().min(1).optional(),
  protocolVersion: z.union([z.literal(5), z.literal(4), z.literal("3.1.1")]).optional(),
  clientId: clientId.optional(),
});

export const upstreamEnvSchema = {
  HEARTH_MQTT_URL: urlList.optional(),
  HEARTH_MQTT_USERNAME: z.string().min(1).optional(),
  HEARTH_MQTT_PASSWORD: z.string().min(1).optional(),
  HEARTH_MQTT_CA: z.string().min(1).optional(),
  HEARTH_MQTT_CERT: z.string().min(1).optional(),
  HEARTH_MQTT_KEY: z.string().min(1).optional(),
  HEARTH_MQTT_PROTOCOL: protocolVersion.optional(),
  HEARTH_MQTT_CLIENT_ID: clientId.optional(),
};

type UpstreamEnv = { [K in keyof typeof upstreamEnvSchema]?: z.infer<(typeof upstreamEnvSchema)[K]> };
type UpstreamFile = z.infer<typeof upstreamFileSchema>;

/** `hearth-<this host>`: stable across restarts, different for two hubs on one broker. */
export function defaultClientId(host = hostname()): string {
  const name = host.replace(/[^0-9A-Za-z_-]/g, "-").slice(0, 40);
  return `hearth-${name || "hub"}`;
}

/** The upstream broker, or null for the embedded one (no URL anywhere). The environment wins, key by key. */
export function upstreamFrom(e: UpstreamEnv, f: UpstreamFile | undefined, cwd: string): UpstreamConfig | null {
  const urls = e.HEARTH_MQTT_URL ?? f?.urls ?? (f?.url ? [f.url] : null);
  if (urls === null) return null;
  const file = (name: string | undefined) => (name === undefined ? null : path.resolve(cwd, name));
  const certFile = file(e.HEARTH_MQTT_CERT ?? f?.certFile);
  const keyFile = file(e.HEARTH_MQTT_KEY ?? f?.keyFile);
  if ((certFile === null) !== (keyFile === null)) {
    throw new ConfigError(
      "Invalid configuration:\n  HEARTH_MQTT_CERT and HEARTH_MQTT_KEY (upstream.certFile, upstream.keyFile) go together: a client certificate needs its key",
    );
  }
  const fileVersion = f?.protocolVersion === undefined ? undefined : f.protocolVersion === 5 ? 5 : 4;
  return {
    urls,
    username: e.HEARTH_MQTT_USERNAME ?? f?.username ?? null,
    password: e.HEARTH_MQTT_PASSWORD ?? f?.password ?? null,
    caFile: file(e.HEARTH_MQTT_CA ?? f?.caFile),
    certFile,
    keyFile,
    protocolVersion: e.HEARTH_MQTT_PROTOCOL ?? fileVersion ?? 5,
    clientId: e.HEARTH_MQTT_CLIENT_ID ?? f?.clientId ?? defaultClientId(),
  };
}

/** A URL fit for logs and the page: no user or password, even when someone put them in it. */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    return u.href.replace(/\/$/, "");
  } catch {
    return "(invalid URL)";
  }
}

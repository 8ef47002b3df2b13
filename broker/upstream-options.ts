// The mqtt.js options of Hearth's connection to the user's broker (issue 14), from the config:
// a persistent session under a fixed client id (upstream-bus.ts says why), TLS files read here
// so a missing one stops the start with its setting's name.
import { readFileSync } from "node:fs";
import type { IClientOptions } from "mqtt";
import type { UpstreamConfig } from "../lib/upstream-config";
import { retryDelay } from "../lib/upstream-status";

/** How long the broker keeps Hearth's session while it is away (MQTT 5 Session Expiry Interval, seconds). */
export const SESSION_EXPIRY_S = 7 * 24 * 3600;

/** mqtt.js options from the config: TLS files read here, so a missing file stops the start with its name. */
export function clientOptions(config: UpstreamConfig): IClientOptions {
  const first = new URL(config.urls[0]);
  const read = (file: string | null, setting: string) => {
    if (file === null) return undefined;
    try {
      return readFileSync(file);
    } catch (error) {
      throw new Error(`Cannot read ${setting} ${file}: ${(error as Error).message}`);
    }
  };
  const servers = config.urls.map((u) => {
    const url = new URL(u);
    const protocol = url.protocol.slice(0, -1) as "mqtt" | "mqtts" | "tcp" | "ssl";
    const secure = protocol === "mqtts" || protocol === "ssl";
    return { host: url.hostname.replace(/^\[|\]$/g, ""), port: Number(url.port || (secure ? 8883 : 1883)), protocol };
  });
  return {
    servers,
    protocolVersion: config.protocolVersion,
    clientId: config.clientId,
    clean: false,
    properties: config.protocolVersion === 5 ? { sessionExpiryInterval: SESSION_EXPIRY_S } : undefined,
    username: config.username ?? (first.username ? decodeURIComponent(first.username) : undefined),
    password: config.password ?? (first.password ? decodeURIComponent(first.password) : undefined),
    ca: read(config.caFile, "HEARTH_MQTT_CA"),
    cert: read(config.certFile, "HEARTH_MQTT_CERT"),
    key: read(config.keyFile, "HEARTH_MQTT_KEY"),
    keepalive: 30,
    connectTimeout: 10_000,
    reconnectPeriod: retryDelay(1),
    reconnectOnConnackError: true,
    resubscribe: false,
    manualConnect: true,
  };
}

// The hub's settings: defaults, then an optional JSON config file, then the
// environment, each validated once here. A bad value stops the start with a
// message that names the setting, where it came from, and what is allowed.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { DEFAULT_COMMAND_TIMEOUT_MS } from "./devices/command";
import { devicesConfigSchema, type DeviceConfig } from "./devices/device-config";

export type HubConfig = {
  host: string;
  port: number;
  mqttPort: number;
  dataDir: string;
  simulator: { enabled: boolean; intervalMs: number };
  history: { rawRetentionHours: number };
  /** Named, placed or defined devices (see lib/devices/device-config.ts). */
  devices: DeviceConfig[];
  /** How long a toggle waits for the device to confirm before it reverts. */
  commandTimeoutMs: number;
  dev: boolean;
  /** The config file that was read, if any. */
  configFile: string | null;
};

export class ConfigError extends Error {
  readonly code = "config-invalid";
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export const DEFAULT_CONFIG_FILE = "hearth.config.json";

const port = z.number().int().min(1).max(65535);
const host = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9.:\-[\]]+$/, "must be a host name or an IP address");

const fileSchema = z.strictObject({
  host: host.optional(),
  port: port.optional(),
  mqttPort: port.optional(),
  dataDir: z.string().min(1).optional(),
  simulator: z
    .strictObject({
      enabled: z.boolean().optional(),
      intervalMs: z.number().int().min(100).max(3_600_000).optional(),
    })
    .optional(),
  history: z
    .strictObject({
      rawRetentionHours: z.number().min(1).max(24 * 365).optional(),
    })
    .optional(),
  devices: devicesConfigSchema.optional(),
  commandTimeoutMs: z.number().int().min(500).max(120_000).optional(),
});

type FileConfig = z.infer<typeof fileSchema>;

const intFromEnv = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const boolFromEnv = z
  .enum(["1", "0", "true", "false", "yes", "no", "on", "off"], "must be 1 or 0 (or true/false)")
  .transform((v) => ["1", "true", "yes", "on"].includes(v));

const envSchema = z.object({
  HOST: host.optional(),
  PORT: intFromEnv(1, 65535).optional(),
  MQTT_PORT: intFromEnv(1, 65535).optional(),
  HEARTH_DATA_DIR: z.string().min(1).optional(),
  HEARTH_SIMULATOR: boolFromEnv.optional(),
  HEARTH_SIMULATOR_INTERVAL_MS: intFromEnv(100, 3_600_000).optional(),
  HEARTH_RETENTION_HOURS: intFromEnv(1, 24 * 365).optional(),
  HEARTH_COMMAND_TIMEOUT_MS: intFromEnv(500, 120_000).optional(),
  HEARTH_CONFIG: z.string().min(1).optional(),
  NODE_ENV: z.string().optional(),
});

function describeIssues(error: z.ZodError, source: string, input: unknown): string {
  return error.issues
    .map((issue) => {
      const name = issue.path.join(".") || "(top level)";
      const got = issue.path.reduce<unknown>(
        (value, key) => (value && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined),
        input,
      );
      const shown = got === undefined ? "" : ` (got ${JSON.stringify(got)})`;
      return `${name} in ${source}: ${issue.message}${shown}`;
    })
    .join("\n  ");
}

function readConfigFile(file: string): FileConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ConfigError(`Cannot read the config file ${file}: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(`Invalid configuration:\n  ${describeIssues(parsed.error, file, json)}`);
  }
  return parsed.data;
}

/**
 * Builds the hub's config. `env` is usually process.env; empty variables count
 * as unset, so `PORT= npm start` behaves like plain `npm start`.
 */
export function loadConfig(env: Record<string, string | undefined>, cwd: string): HubConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsedEnv = envSchema.safeParse(present);
  if (!parsedEnv.success) {
    throw new ConfigError(`Invalid configuration:\n  ${describeIssues(parsedEnv.error, "the environment", present)}`);
  }
  const e = parsedEnv.data;

  let configFile: string | null = null;
  if (e.HEARTH_CONFIG) {
    configFile = path.resolve(cwd, e.HEARTH_CONFIG);
    if (!existsSync(configFile)) {
      throw new ConfigError(`HEARTH_CONFIG names ${configFile}, which does not exist`);
    }
  } else if (existsSync(path.join(cwd, DEFAULT_CONFIG_FILE))) {
    configFile = path.join(cwd, DEFAULT_CONFIG_FILE);
  }
  const f: FileConfig = configFile ? readConfigFile(configFile) : {};

  const config: HubConfig = {
    host: e.HOST ?? f.host ?? "127.0.0.1",
    port: e.PORT ?? f.port ?? 3000,
    mqttPort: e.MQTT_PORT ?? f.mqttPort ?? 1883,
    dataDir: path.resolve(cwd, e.HEARTH_DATA_DIR ?? f.dataDir ?? "data"),
    simulator: {
      enabled: e.HEARTH_SIMULATOR ?? f.simulator?.enabled ?? true,
      intervalMs: e.HEARTH_SIMULATOR_INTERVAL_MS ?? f.simulator?.intervalMs ?? 5000,
    },
    history: { rawRetentionHours: e.HEARTH_RETENTION_HOURS ?? f.history?.rawRetentionHours ?? 48 },
    devices: f.devices ?? [],
    commandTimeoutMs: e.HEARTH_COMMAND_TIMEOUT_MS ?? f.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    dev: e.NODE_ENV === "development",
    configFile,
  };
  if (config.port === config.mqttPort) {
    throw new ConfigError(`Invalid configuration:\n  PORT and MQTT_PORT are both ${config.port}; the dashboard and MQTT need a port each`);
  }
  return config;
}

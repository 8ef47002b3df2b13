import { isIP } from "node:net";
// What each source of settings may hold: the JSON config file (hearth.config.json)
// and the environment. lib/config.ts merges them; lib/config-sources.ts reads them.
import { z } from "zod";
import { ruleInputSchema } from "./alerts/rule";
import { PROXY_HEADERS } from "./auth/client-address";
import { devicesConfigSchema } from "./devices/device-config";
import { checkTopicFilter } from "./topics";
import { upstreamEnvSchema, upstreamFileSchema } from "./upstream-config";

/** Bounds each history setting shares between the file and the environment. */
const HISTORY_LIMITS = {
  rawRetentionHours: [1, 24 * 365],
  minuteRetentionDays: [1, 3650],
  hourRetentionDays: [1, 36500],
  pruneIntervalMinutes: [1, 24 * 60],
  readerThreads: [0, 16],
} as const;

export const ANONYMOUS_MQTT = ["loopback", "all", "off"] as const;
export type AnonymousMqtt = (typeof ANONYMOUS_MQTT)[number];

/** WAL `synchronous` for the hub's SQLite files: NORMAL survives a process crash, FULL also a power cut. */
export const DURABILITY = ["normal", "full"] as const;
export type Durability = (typeof DURABILITY)[number];

/**
 * How the web thread and its history reader threads give way to the broker's thread for a core
 * (broker/thread-priority.ts): "idle" runs them under SCHED_IDLE (nice 10 where it cannot be
 * set), "nice" at nice 10 only.
 */
export const WEB_PRIORITIES = ["idle", "nice"] as const;
export type WebPriority = (typeof WEB_PRIORITIES)[number];

const port = z.number().int().min(1).max(65535);

const topicFilter = z.string().superRefine((filter, ctx) => {
  const check = checkTopicFilter(filter);
  if (!check.ok) ctx.addIssue({ code: "custom", message: `${JSON.stringify(filter)}: ${check.reason}` });
});

/** Like the anonymous part of Mosquitto's acl_file: `topic write …` and `topic read …`. */
const anonymousTopics = z.strictObject({
  publish: z.array(topicFilter).max(1000).optional(),
  subscribe: z.array(topicFilter).max(1000).optional(),
});

/** A list of topic filters in one variable, comma-separated (`home/+/+/state,sensors/#`). */
const filtersFromEnv = z
  .string()
  .transform((v) => v.split(",").map((f) => f.trim()))
  .pipe(z.array(topicFilter));

/** auth.trustedProxies: "loopback" or an IP address (review-8 F6). */
const proxyAddress = z.string().refine((v) => v === "loopback" || isIP(v) !== 0, "must be an IP address or loopback");
const proxiesFromEnv = z
  .string()
  .transform((v) => v.split(",").map((a) => a.trim()))
  .pipe(z.array(proxyAddress));

/** Where history goes instead of SQLite (issue 14): postgres://user:password@host:5432/database. */
const postgresUrl = z.string().refine((value) => {
  try {
    return ["postgres:", "postgresql:"].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}, "must be a postgres:// URL, like postgres://hearth:secret@db.local:5432/hearth");

const host = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9.:\-[\]]+$/, "must be a host name or an IP address");

export const fileSchema = z.strictObject({
  host: host.optional(),
  port: port.optional(),
  mqttPort: port.optional(),
  dataDir: z.string().min(1).optional(),
  durability: z.enum(DURABILITY).optional(),
  webPriority: z.enum(WEB_PRIORITIES).optional(),
  databaseUrl: postgresUrl.optional(),
  simulator: z
    .strictObject({
      enabled: z.boolean().optional(),
      intervalMs: z.number().int().min(100).max(3_600_000).optional(),
    })
    .optional(),
  history: z
    .strictObject({
      rawRetentionHours: z.number().min(1).max(24 * 365).optional(),
      minuteRetentionDays: z.number().min(1).max(HISTORY_LIMITS.minuteRetentionDays[1]).optional(),
      hourRetentionDays: z.number().min(1).max(HISTORY_LIMITS.hourRetentionDays[1]).optional(),
      pruneIntervalMinutes: z.number().int().min(1).max(HISTORY_LIMITS.pruneIntervalMinutes[1]).optional(),
      readerThreads: z.number().int().min(0).max(HISTORY_LIMITS.readerThreads[1]).optional(),
    })
    .optional(),
  alerts: z
    .strictObject({
      rules: z
        .array(
          ruleInputSchema.refine((rule) => rule.id !== undefined, {
            path: ["id"],
            message: "is required for a rule in the config file, so a restart does not seed it twice",
          }),
        )
        .superRefine((rules, ctx) => {
          const seen = new Set<string>();
          rules.forEach((rule, i) => {
            if (rule.id !== undefined && seen.has(rule.id)) {
              ctx.addIssue({ code: "custom", path: [i, "id"], message: `is used by an earlier rule` });
            }
            if (rule.id !== undefined) seen.add(rule.id);
          });
        })
        .optional(),
    })
    .optional(),
  devices: devicesConfigSchema.optional(),
  commandTimeoutMs: z.number().int().min(500).max(120_000).optional(),
  auth: z
    .strictObject({
      sessionHours: z.number().min(1).max(24 * 365).optional(),
      anonymousMqtt: z.enum(ANONYMOUS_MQTT).optional(),
      anonymousWebSocket: z.boolean().optional(),
      anonymousTopics: anonymousTopics.optional(),
      trustedProxies: z.array(proxyAddress).optional(),
      proxyHeader: z.enum(PROXY_HEADERS, "must be auto, x-forwarded-for or forwarded").optional(),
    })
    .optional(),
  tls: z.strictObject({ certFile: z.string().min(1), keyFile: z.string().min(1) }).optional(),
  mqttsPort: port.optional(),
  mqttPlain: z.boolean().optional(),
  upstream: upstreamFileSchema.optional(),
  limits: z
    .strictObject({
      maxPacketBytes: z.number().int().min(1024).max(256 * 1024 * 1024).optional(),
      maxConnections: z.number().int().min(1).max(1_000_000).optional(),
      maxPublishesPerSecond: z.number().int().min(1).max(1_000_000).optional(),
      publishBurst: z.number().int().min(1).max(10_000_000).optional(),
      maxSubscriptionsPerClient: z.number().int().min(1).max(1_000_000).optional(),
      connectTimeoutMs: z.number().int().min(100).max(600_000).optional(),
      maxInflightMessages: z.number().int().min(1).max(65_535).optional(),
      maxQueuedMessages: z.number().int().min(1).max(1_000_000).optional(),
      maxOwedRetained: z.number().int().min(1).max(100_000_000).optional(),
    })
    .optional(),
});

export type FileConfig = z.infer<typeof fileSchema>;

const intFromEnv = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const boolFromEnv = z
  .enum(["1", "0", "true", "false", "yes", "no", "on", "off"], "must be 1 or 0 (or true/false)")
  .transform((v) => ["1", "true", "yes", "on"].includes(v));

export const envSchema = z.object({
  HOST: host.optional(),
  PORT: intFromEnv(1, 65535).optional(),
  MQTT_PORT: intFromEnv(1, 65535).optional(),
  HEARTH_DATA_DIR: z.string().min(1).optional(),
  HEARTH_DURABILITY: z.enum(DURABILITY, "must be normal or full").optional(),
  HEARTH_WEB_PRIORITY: z.enum(WEB_PRIORITIES, "must be idle or nice").optional(),
  HEARTH_DATABASE_URL: postgresUrl.optional(),
  HEARTH_SIMULATOR: boolFromEnv.optional(),
  HEARTH_SIMULATOR_INTERVAL_MS: intFromEnv(100, 3_600_000).optional(),
  HEARTH_RETENTION_HOURS: intFromEnv(1, 24 * 365).optional(),
  HEARTH_MINUTE_RETENTION_DAYS: intFromEnv(...HISTORY_LIMITS.minuteRetentionDays).optional(),
  HEARTH_HOUR_RETENTION_DAYS: intFromEnv(...HISTORY_LIMITS.hourRetentionDays).optional(),
  HEARTH_PRUNE_INTERVAL_MINUTES: intFromEnv(...HISTORY_LIMITS.pruneIntervalMinutes).optional(),
  HEARTH_HISTORY_READER_THREADS: intFromEnv(...HISTORY_LIMITS.readerThreads).optional(),
  HEARTH_COMMAND_TIMEOUT_MS: intFromEnv(500, 120_000).optional(),
  HEARTH_AVAILABILITY_GRACE_MS: intFromEnv(500, 600_000).optional(),
  HEARTH_CONFIG: z.string().min(1).optional(),
  HEARTH_ADMIN_USER: z.string().min(1).optional(),
  HEARTH_ADMIN_PASSWORD: z.string().min(8, "must be at least 8 characters").optional(),
  HEARTH_SESSION_HOURS: intFromEnv(1, 24 * 365).optional(),
  HEARTH_MQTT_ANONYMOUS: z.enum(ANONYMOUS_MQTT, "must be loopback, all or off").optional(),
  HEARTH_MQTT_ANONYMOUS_PUBLISH: filtersFromEnv.optional(),
  HEARTH_MQTT_ANONYMOUS_SUBSCRIBE: filtersFromEnv.optional(),
  HEARTH_TRUSTED_PROXIES: proxiesFromEnv.optional(),
  HEARTH_PROXY_HEADER: z.enum(PROXY_HEADERS, "must be auto, x-forwarded-for or forwarded").optional(),
  HEARTH_TLS_CERT: z.string().min(1).optional(),
  HEARTH_TLS_KEY: z.string().min(1).optional(),
  MQTTS_PORT: intFromEnv(1, 65535).optional(),
  HEARTH_MQTT_PLAIN: boolFromEnv.optional(),
  HEARTH_MQTT_ANONYMOUS_WEBSOCKET: boolFromEnv.optional(),
  HEARTH_MQTT_MAX_PACKET_BYTES: intFromEnv(1024, 256 * 1024 * 1024).optional(),
  HEARTH_MQTT_MAX_CONNECTIONS: intFromEnv(1, 1_000_000).optional(),
  HEARTH_MQTT_MAX_PUBLISH_RATE: intFromEnv(1, 1_000_000).optional(),
  HEARTH_MQTT_PUBLISH_BURST: intFromEnv(1, 10_000_000).optional(),
  HEARTH_MQTT_MAX_SUBSCRIPTIONS: intFromEnv(1, 1_000_000).optional(),
  HEARTH_MQTT_CONNECT_TIMEOUT_MS: intFromEnv(100, 600_000).optional(),
  HEARTH_MQTT_MAX_INFLIGHT: intFromEnv(1, 65_535).optional(),
  HEARTH_MQTT_MAX_QUEUED: intFromEnv(1, 1_000_000).optional(),
  HEARTH_MQTT_MAX_OWED_RETAINED: intFromEnv(1, 100_000_000).optional(),
  ...upstreamEnvSchema,
  NODE_ENV: z.string().optional(),
});

export type EnvConfig = z.infer<typeof envSchema>;

// The hub's settings: defaults, then an optional JSON config file, then the
// environment, each validated once (lib/config-sources.ts, against lib/config-schema.ts)
// and merged here, with the checks that span settings. A bad value stops the start
// with a ConfigError that names the setting, where it came from, and what is allowed.
import { availableParallelism } from "node:os";
import path from "node:path";
import type { Rule } from "./alerts/rule";
import { DEFAULT_TRUSTED_PROXIES, type ProxyHeader } from "./auth/client-address";
import { ALL_TOPICS, type AnonymousTopics } from "./auth/roles";
import { DEFAULT_COMMAND_TIMEOUT_MS } from "./devices/command";
import { AVAILABILITY_GRACE_MS } from "./devices/toggle-gate";
import type { DeviceConfig } from "./devices/device-config";
import { ConfigError } from "./config-error";
import type { AnonymousMqtt, Durability, FileConfig, WebPriority } from "./config-schema";
import { findConfigFile, readConfigFile, readEnv } from "./config-sources";
import { upstreamFrom, type UpstreamConfig } from "./upstream-config";

// Importers keep using this entry for what moved to the files above.
export { ConfigError };
export { ANONYMOUS_MQTT, DURABILITY, type AnonymousMqtt, type Durability } from "./config-schema";
export { DEFAULT_CONFIG_FILE } from "./config-sources";

export type HubConfig = {
  host: string;
  port: number;
  mqttPort: number;
  dataDir: string;
  /** How the SQLite files in dataDir sync their commits (broker state and history). */
  durability: Durability;
  /**
   * How the dashboard's thread and its history reader threads give way to the broker's thread
   * for a core (broker/thread-priority.ts): "idle" (SCHED_IDLE over nice 10; the default) or "nice" (nice 10 only).
   */
  webPriority: WebPriority;
  /** PostgreSQL for history instead of SQLite in dataDir (issue 14); null for SQLite. */
  databaseUrl: string | null;
  simulator: { enabled: boolean; intervalMs: number };
  history: HistoryConfig;
  /** Alert rules to seed the hub's database with: each is inserted when its id is new. */
  alerts: { rules: Rule[] };
  /** Named, placed or defined devices (see lib/devices/device-config.ts). */
  devices: DeviceConfig[];
  /** How long a toggle waits for the device to confirm before it reverts. */
  commandTimeoutMs: number;
  /** How long a device's declared availability may stay silent before its toggle shows "unknown". */
  availabilityGraceMs: number;
  auth: {
    /** Creates this admin on a start with no users yet (automation, tests); both or neither. */
    admin: { username: string; password: string } | null;
    sessionHours: number;
    /** Anonymous MQTT clients: from loopback only (the default, like Mosquitto 2), from anywhere, or never. */
    anonymousMqtt: AnonymousMqtt;
    /**
     * Whether "loopback" also trusts anonymous clients on /mqtt (auth.anonymousWebSocket, default
     * false): a reverse proxy on this machine that adds no forwarding header makes every stranger
     * look like loopback there (review-9 F2); local tools use 1883.
     */
    anonymousWebSocket: boolean;
    /** What anonymous clients may publish and subscribe to; default everything (auth.anonymousTopics). */
    anonymousTopics: AnonymousTopics;
    /** Proxies whose X-Forwarded-For names the client for the login throttle (auth.trustedProxies; client-address.ts). */
    trustedProxies: readonly string[];
    /** Which header those proxies write (auth.proxyHeader; client-address.ts): "auto" reads X-Forwarded-For, else Forwarded. */
    proxyHeader: ProxyHeader;
  };
  /** With both set, the dashboard is HTTPS, /mqtt is WSS, and MQTT over TLS listens on mqttsPort. */
  tls: { certFile: string; keyFile: string } | null;
  mqttsPort: number;
  /** Plain MQTT over TCP on mqttPort; may be turned off once TLS is on. */
  mqttPlain: boolean;
  limits: HubLimits;
  /** An external broker to attach to instead of listening for devices (issue 14); null: the embedded broker. */
  upstream: UpstreamConfig | null;
  dev: boolean;
  /** The config file that was read, if any. */
  configFile: string | null;
};

/** How long each history tier is kept (issue 6), and how often old rows are pruned. */
export type HistoryConfig = {
  rawRetentionHours: number;
  minuteRetentionDays: number;
  hourRetentionDays: number;
  pruneIntervalMinutes: number;
  /**
   * The web thread's SQLite history reader threads (broker/history-readers.ts); 0 reads on the
   * web thread itself. Default by the cores (defaultReaderThreads).
   */
  readerThreads: number;
};

/**
 * One reader thread per core the broker's thread leaves, at most 4; none on two cores or fewer.
 * Measured on two cores (bench/README.md, "history reader threads"): one reader thread made page
 * renders during a day's export 5–8× faster, but cost ~20 MB more RSS during the export (at or
 * over issue 13's 50 MB budget) and made charts read alone slower (a thread hop per series on busy cores).
 * With a chart's series in one hop (readers2) charts read alone are on par, but the export still
 * measured 50–54 MB above idle: the thread's own start-up is +23 MB, which no buffer handling removes.
 */
export const defaultReaderThreads = (cores: number): number => (cores <= 2 ? 0 : Math.min(4, cores - 1));

/**
 * The hub's limits per connection (broker/limits.ts), and the ones it hands the broker
 * (packet size, CONNECT timeout, a session's in-flight window and queue: broker/mqtt/core.ts BrokerLimits).
 */
export type HubLimits = {
  maxPacketBytes: number;
  maxConnections: number;
  /** Sustained publishes a second per client; past `publishBurst` at once its socket rests (broker/limits.ts). */
  maxPublishesPerSecond: number;
  publishBurst: number;
  maxSubscriptionsPerClient: number;
  connectTimeoutMs: number;
  /** Per session: QoS 1/2 messages sent to a 3.1.1 client and not yet acknowledged (Mosquitto's max_inflight_messages). */
  maxInflightMessages: number;
  /** Per session: messages queued behind those; past it QoS 0 goes first, then the oldest (Mosquitto's max_queued_messages). */
  maxQueuedMessages: number;
  /**
   * All sessions together: retained messages new subscriptions are owed and not yet sent;
   * past it the ones that do not fit are not sent (broker/mqtt/outgoing.ts deliverRetained).
   */
  maxOwedRetained: number;
};

export const DEFAULT_HUB_LIMITS: HubLimits = {
  // Above anything a sensor sends, with room for camera snapshots (Frigate publishes JPEGs);
  // the recorder refuses readings far smaller than this on its own.
  maxPacketBytes: 2 * 1024 * 1024,
  maxConnections: 500,
  // A home gateway's start, never slowed: Zigbee2MQTT re-sends a discovery config per
  // entity (thousands in a big home) and every device's state at once (review 10, F6).
  maxPublishesPerSecond: 1000,
  publishBurst: 10_000,
  // Home Assistant subscribes one filter per topic its entities read (thousands in a big
  // home); Mosquitto has no limit (review 10, F7).
  maxSubscriptionsPerClient: 10_000,
  connectTimeoutMs: 10_000,
  // Mosquitto's max_queued_messages; its max_inflight_messages is 20, but a window that small
  // holds a QoS 1 stream to the round trip of each PUBACK (broker/mqtt/core.ts DEFAULT_LIMITS).
  maxInflightMessages: 1000,
  maxQueuedMessages: 1000,
  // About 13 bytes each, measured (a reference to the retained store's own message): 500,000 hold ~6.5 MB,
  // 160 subscribers to `#` in a home of 3,000 retained configs (review-11 F5).
  maxOwedRetained: 500_000,
};

function adminFromEnv(username: string | undefined, password: string | undefined): HubConfig["auth"]["admin"] {
  if (username === undefined && password === undefined) return null;
  if (username === undefined || password === undefined) {
    const missing = username === undefined ? "HEARTH_ADMIN_USER" : "HEARTH_ADMIN_PASSWORD";
    throw new ConfigError(`Invalid configuration:\n  ${missing} in the environment: HEARTH_ADMIN_USER and HEARTH_ADMIN_PASSWORD go together`);
  }
  return { username, password };
}

function tlsFrom(
  cert: string | undefined,
  key: string | undefined,
  file: { certFile: string; keyFile: string } | undefined,
  cwd: string,
): HubConfig["tls"] {
  if (cert === undefined && key === undefined) {
    return file ? { certFile: path.resolve(cwd, file.certFile), keyFile: path.resolve(cwd, file.keyFile) } : null;
  }
  if (cert === undefined || key === undefined) {
    const missing = cert === undefined ? "HEARTH_TLS_CERT" : "HEARTH_TLS_KEY";
    throw new ConfigError(`Invalid configuration:\n  ${missing} in the environment: HEARTH_TLS_CERT and HEARTH_TLS_KEY go together`);
  }
  return { certFile: path.resolve(cwd, cert), keyFile: path.resolve(cwd, key) };
}

/**
 * Builds the hub's config. `env` is usually process.env; empty variables count
 * as unset, so `PORT= npm start` behaves like plain `npm start`.
 */
export function loadConfig(env: Record<string, string | undefined>, cwd: string): HubConfig {
  const e = readEnv(env);
  const configFile = findConfigFile(e.HEARTH_CONFIG, cwd);
  const f: FileConfig = configFile ? readConfigFile(configFile) : {};
  const upstream = upstreamFrom(e, f.upstream, cwd);

  const config: HubConfig = {
    // All interfaces: login guards the dashboard, and anonymous MQTT stays loopback-only.
    host: e.HOST ?? f.host ?? "0.0.0.0",
    port: e.PORT ?? f.port ?? 3000,
    mqttPort: e.MQTT_PORT ?? f.mqttPort ?? 1883,
    dataDir: path.resolve(cwd, e.HEARTH_DATA_DIR ?? f.dataDir ?? "data"),
    durability: e.HEARTH_DURABILITY ?? f.durability ?? "normal",
    webPriority: e.HEARTH_WEB_PRIORITY ?? f.webPriority ?? "idle",
    databaseUrl: e.HEARTH_DATABASE_URL ?? f.databaseUrl ?? null,
    simulator: {
      // The demo home would publish into the user's own broker: only when asked for.
      enabled: e.HEARTH_SIMULATOR ?? f.simulator?.enabled ?? upstream === null,
      intervalMs: e.HEARTH_SIMULATOR_INTERVAL_MS ?? f.simulator?.intervalMs ?? 5000,
    },
    history: {
      rawRetentionHours: e.HEARTH_RETENTION_HOURS ?? f.history?.rawRetentionHours ?? 48,
      minuteRetentionDays: e.HEARTH_MINUTE_RETENTION_DAYS ?? f.history?.minuteRetentionDays ?? 31,
      hourRetentionDays: e.HEARTH_HOUR_RETENTION_DAYS ?? f.history?.hourRetentionDays ?? 5 * 365,
      pruneIntervalMinutes: e.HEARTH_PRUNE_INTERVAL_MINUTES ?? f.history?.pruneIntervalMinutes ?? 60,
      readerThreads: e.HEARTH_HISTORY_READER_THREADS ?? f.history?.readerThreads ?? defaultReaderThreads(availableParallelism()),
    },
    alerts: { rules: (f.alerts?.rules ?? []).map((rule) => ({ ...rule, id: rule.id! })) },
    devices: f.devices ?? [],
    commandTimeoutMs: e.HEARTH_COMMAND_TIMEOUT_MS ?? f.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    availabilityGraceMs: e.HEARTH_AVAILABILITY_GRACE_MS ?? AVAILABILITY_GRACE_MS,
    auth: {
      admin: adminFromEnv(e.HEARTH_ADMIN_USER, e.HEARTH_ADMIN_PASSWORD),
      sessionHours: e.HEARTH_SESSION_HOURS ?? f.auth?.sessionHours ?? 24 * 30,
      anonymousMqtt: e.HEARTH_MQTT_ANONYMOUS ?? f.auth?.anonymousMqtt ?? "loopback",
      anonymousWebSocket: e.HEARTH_MQTT_ANONYMOUS_WEBSOCKET ?? f.auth?.anonymousWebSocket ?? false,
      trustedProxies: e.HEARTH_TRUSTED_PROXIES ?? f.auth?.trustedProxies ?? DEFAULT_TRUSTED_PROXIES,
      proxyHeader: e.HEARTH_PROXY_HEADER ?? f.auth?.proxyHeader ?? "auto",
      anonymousTopics: {
        publish: e.HEARTH_MQTT_ANONYMOUS_PUBLISH ?? f.auth?.anonymousTopics?.publish ?? ALL_TOPICS.publish,
        subscribe: e.HEARTH_MQTT_ANONYMOUS_SUBSCRIBE ?? f.auth?.anonymousTopics?.subscribe ?? ALL_TOPICS.subscribe,
      },
    },
    tls: tlsFrom(e.HEARTH_TLS_CERT, e.HEARTH_TLS_KEY, f.tls, cwd),
    mqttsPort: e.MQTTS_PORT ?? f.mqttsPort ?? 8883,
    mqttPlain: e.HEARTH_MQTT_PLAIN ?? f.mqttPlain ?? true,
    limits: {
      maxPacketBytes: e.HEARTH_MQTT_MAX_PACKET_BYTES ?? f.limits?.maxPacketBytes ?? DEFAULT_HUB_LIMITS.maxPacketBytes,
      maxConnections: e.HEARTH_MQTT_MAX_CONNECTIONS ?? f.limits?.maxConnections ?? DEFAULT_HUB_LIMITS.maxConnections,
      maxPublishesPerSecond: e.HEARTH_MQTT_MAX_PUBLISH_RATE ?? f.limits?.maxPublishesPerSecond ?? DEFAULT_HUB_LIMITS.maxPublishesPerSecond,
      publishBurst: e.HEARTH_MQTT_PUBLISH_BURST ?? f.limits?.publishBurst ?? DEFAULT_HUB_LIMITS.publishBurst,
      maxSubscriptionsPerClient:
        e.HEARTH_MQTT_MAX_SUBSCRIPTIONS ?? f.limits?.maxSubscriptionsPerClient ?? DEFAULT_HUB_LIMITS.maxSubscriptionsPerClient,
      connectTimeoutMs: e.HEARTH_MQTT_CONNECT_TIMEOUT_MS ?? f.limits?.connectTimeoutMs ?? DEFAULT_HUB_LIMITS.connectTimeoutMs,
      maxInflightMessages: e.HEARTH_MQTT_MAX_INFLIGHT ?? f.limits?.maxInflightMessages ?? DEFAULT_HUB_LIMITS.maxInflightMessages,
      maxQueuedMessages: e.HEARTH_MQTT_MAX_QUEUED ?? f.limits?.maxQueuedMessages ?? DEFAULT_HUB_LIMITS.maxQueuedMessages,
      maxOwedRetained: e.HEARTH_MQTT_MAX_OWED_RETAINED ?? f.limits?.maxOwedRetained ?? DEFAULT_HUB_LIMITS.maxOwedRetained,
    },
    upstream,
    dev: e.NODE_ENV === "development",
    configFile,
  };
  checkRetentionOrder(config.history);
  const ports: [string, number, boolean][] = [
    ["PORT", config.port, true],
    // With an upstream broker the hub listens for no device.
    ["MQTT_PORT", config.mqttPort, config.mqttPlain && upstream === null],
    ["MQTTS_PORT", config.mqttsPort, config.tls !== null && upstream === null],
  ];
  const used = ports.filter(([, , on]) => on);
  for (let i = 0; i < used.length; i++) {
    for (let j = i + 1; j < used.length; j++) {
      if (used[i][1] === used[j][1]) {
        throw new ConfigError(
          `Invalid configuration:\n  ${used[i][0]} and ${used[j][0]} are both ${used[i][1]}; each listener needs a port of its own`,
        );
      }
    }
  }
  if (!config.mqttPlain && config.tls === null && upstream === null) {
    throw new ConfigError("Invalid configuration:\n  HEARTH_MQTT_PLAIN=0 turns plain MQTT off, but no TLS certificate is set (HEARTH_TLS_CERT, HEARTH_TLS_KEY): devices could not connect at all");
  }
  return config;
}

/** A coarser tier outliving a finer one is what makes long charts possible; the reverse loses data. */
function checkRetentionOrder({ rawRetentionHours, minuteRetentionDays, hourRetentionDays }: HistoryConfig): void {
  if (minuteRetentionDays * 24 < rawRetentionHours) {
    throw new ConfigError(
      `Invalid configuration:\n  history.minuteRetentionDays (HEARTH_MINUTE_RETENTION_DAYS) is ${minuteRetentionDays} days, shorter than the ${rawRetentionHours} hours of raw readings; it must be at least as long`,
    );
  }
  if (hourRetentionDays < minuteRetentionDays) {
    throw new ConfigError(
      `Invalid configuration:\n  history.hourRetentionDays (HEARTH_HOUR_RETENTION_DAYS) is ${hourRetentionDays} days, shorter than the ${minuteRetentionDays} days of per-minute roll-ups; it must be at least as long`,
    );
  }
}

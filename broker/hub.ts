// The hub: one process holding the broker, its listeners, the recorder, the alert
// engine, the device registry and the simulated home on this thread, and the dashboard
// (Next.js) on a thread of its own (web-thread.ts). This file only composes them, in
// order; each part is registered with the lifecycle as it starts, so a failure anywhere
// closes what was opened and a stop takes everything down in the reverse order.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import path from "node:path";
import type { HubConfig } from "../lib/config";
import { createLogger } from "../lib/log";
import type { HubApi } from "../lib/hub-api";
import { startAlerts } from "./alerts-on-store";
import { watchDatabase } from "../lib/pg/watch";
import { createLocalBus } from "./local-bus";
import { startHistoryPruner } from "./history-pruner";
import { startRecording } from "./recording";
import { startSimulator } from "./simulator";
import { startTopicTap } from "./topic-tap";
import { watchRuleMeanings } from "./alert-rule-meaning";
import { createKnownDevices, DISCOVERY_FILTERS } from "./device-registry";
import { createDashboardServer, MQTT_WS_PATH } from "./http-server";
import { createLifecycle, type Lifecycle } from "./lifecycle";
import { startWebThread } from "./web-thread";
import { createWebProxy, type WebProxy } from "./web-proxy";
import { ensureAdminFromEnv, startSessionPruning } from "./account-upkeep";
import { accountsSource, openAccounts } from "../lib/auth/open-accounts";
import type { Server as HttpServer } from "node:http";
import { createLoginThrottle } from "../lib/auth/login-throttle";
import { createDevicePresence } from "../lib/auth/device-presence";
import { createDevicePresenceHook } from "./device-presence-hook";
import { createPrincipals } from "./principals";
import { createAuthenticate, INTERNAL_USER } from "./authenticate";
import { createAuthorizePublish } from "./authorize-publish";
import { createAuthorizeSubscribe } from "./authorize-subscribe";
import { createSessionGate } from "./session-gate";
import { createRightsNow, startDeviceAccountWatch } from "./rights-now";
import { controlSocketPath, startControlSocket } from "./control-socket";
import { createLimits } from "./limits";
import { createBroker } from "./mqtt/broker";
import { openHubStores } from "./hub-stores";
import type { Principal } from "../lib/auth/roles";
import { createMemoryStore } from "./mqtt/memory-store";
import { createUpstreamBus } from "./upstream-bus";
import { createRelay } from "./upstream-relay";
import { shownUrl } from "../lib/upstream-config";
import type { UpstreamStatus } from "../lib/upstream-status";

export type Hub = {
  close(): Promise<void>;
  /** The connection to HEARTH_MQTT_URL's broker; null when Hearth is the broker. */
  upstreamStatus(): UpstreamStatus | null;
};

/** `pages: false`: no Next.js thread; /mqtt and every MQTT part run (the broker's integration tests). */
export type HubOptions = {
  pages?: boolean;
  /** Where the dashboard's Next.js build is (its `.next`); the checkout by default. */
  pagesDir?: string;
  /** Aborted: start-up stops at its next step (the web thread's start included), closes what it opened, and rejects with the reason. */
  signal?: AbortSignal;
};

/** What the dashboard's port answers for pages when there are none. */
const NO_PAGES: WebProxy = {
  connection: (socket) => void socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
  close: () => {},
};

const log = createLogger("hub");

/** Names the setting to change when a port is taken, instead of a bare EADDRINUSE. */
function listen(server: TcpServer | HttpServer, port: number, host: string, setting: string) {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const hint =
        error.code === "EADDRINUSE"
          ? `port ${port} on ${host} is already in use (is another instance or broker running?); stop it or set ${setting}`
          : error.code === "EACCES"
            ? `no permission to listen on port ${port}; pick a port above 1023 with ${setting}`
            : error.message;
      reject(new Error(`Cannot listen for ${setting}: ${hint}`));
    };
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

function localUrl(host: string): string {
  // A wildcard bind is reachable on loopback; a specific address only on itself.
  if (host === "0.0.0.0" || host === "::") return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

function readTls(tls: HubConfig["tls"]): { cert: Buffer; key: Buffer } | null {
  if (tls === null) return null;
  const read = (file: string, setting: string) => {
    try {
      return readFileSync(file);
    } catch (error) {
      throw new Error(`Cannot read ${setting} ${file}: ${(error as Error).message} (npm run hearth -- generate-cert makes one)`);
    }
  };
  return { cert: read(tls.certFile, "HEARTH_TLS_CERT"), key: read(tls.keyFile, "HEARTH_TLS_KEY") };
}

export async function startHub(config: HubConfig, options: HubOptions = {}): Promise<Hub> {
  const tls = readTls(config.tls);
  const life = createLifecycle((part, error) => log.error("error while stopping", { part, error: error.message }), options.signal);
  let parts: Awaited<ReturnType<typeof compose>>;
  try {
    options.signal?.throwIfAborted();
    parts = await compose(config, tls, life, options);
  } catch (error) {
    await life.close();
    throw error;
  }
  return { close: () => life.close(), upstreamStatus: () => parts.upstream?.status() ?? null };
}

async function compose(config: HubConfig, tls: ReturnType<typeof readTls>, life: Lifecycle, options: HubOptions) {
  // With PostgreSQL, one watch says whether it answers: a log line per outage, a notice on the dashboard.
  const database =
    config.databaseUrl === null
      ? null
      : life.add("database watch", watchDatabase({ url: config.databaseUrl, log: createLogger("database") }), (w) => w.stop());
  // History and the broker's state, opened together: hub-stores.ts decides how their commits relate.
  const stores = life.add("stores", await openHubStores(config, createLogger("history")), (s) => s.close());
  const { history, opened } = stores;
  const accountsAt = accountsSource(config);
  const accounts = life.add("accounts", openAccounts(accountsAt, createLogger("accounts")), (a) => a.close());
  life.add("admin from env", await ensureAdminFromEnv(accounts, config.auth.admin, log), (retry) => retry.stop());
  const principals = createPrincipals();
  const internalPassword = randomBytes(24).toString("base64url");
  const mqttLog = createLogger("mqtt");
  const loginThrottle = createLoginThrottle();
  const limits = createLimits(config.limits, mqttLog);
  // With HEARTH_MQTT_URL the services live on the user's broker and the local one serves only /mqtt (upstream-relay.ts).
  const upstream = config.upstream ? createUpstreamBus(config.upstream, createLogger("upstream"), { retainedFirst: DISCOVERY_FILTERS }) : null;
  const upstreamServer = config.upstream ? config.upstream.urls.map(shownUrl).join(", ") : null;
  const relay = upstream ? createRelay({ bus: upstream, principals, log: createLogger("upstream"), server: upstreamServer! }) : null;
  const localBus = createLocalBus();
  const bus = upstream ?? localBus;
  const presence = createDevicePresence();
  // Configured devices are known from the first CONNECT; the registry adds discovered ones.
  const known = createKnownDevices(config.devices);
  // Policy and services plug into the broker as hooks, one file each; the first refusal wins.
  const policy = [
    createAuthorizePublish({ log: mqttLog, isDeviceCommand: known.isCommandTopic }),
    createAuthorizeSubscribe({ log: mqttLog }),
    limits,
  ];
  // Upstream, only browsers connect here (the relay's authenticate), and the relay replaces the local bus.
  const hooks = relay ? [principals, ...relay.hooks, ...policy] : [
    principals,
    createAuthenticate({
      accounts,
      anonymous: config.auth.anonymousMqtt,
      anonymousWebSocket: config.auth.anonymousWebSocket,
      anonymousTopics: config.auth.anonymousTopics,
      principals,
      log: mqttLog,
      throttle: loginThrottle,
      internalPassword,
      trustedProxies: config.auth.trustedProxies,
      proxyHeader: config.auth.proxyHeader,
    }),
    ...policy,
    createRightsNow({ accounts, anonymous: config.auth.anonymousMqtt, anonymousTopics: config.auth.anonymousTopics }),
    createDevicePresenceHook(presence),
    localBus,
  ];
  // Retained messages, sessions, their subscriptions and queued messages, restored before any listener opens.
  // Upstream, the local broker holds only browsers' clean sessions and the mirror, rebuilt at each start.
  const brokerStore = upstream ? life.add("mirror store", createMemoryStore(), (s) => s.close()) : stores.broker;
  const broker = await createBroker<Principal>({
    hooks,
    store: brokerStore,
    limits: {
      maxPacketBytes: config.limits.maxPacketBytes,
      connectTimeoutMs: config.limits.connectTimeoutMs,
      maxInflightMessages: config.limits.maxInflightMessages,
      maxQueuedMessages: config.limits.maxQueuedMessages,
      maxOwedRetained: config.limits.maxOwedRetained,
    },
    log: mqttLog,
  });
  life.add("broker", broker, (b) => b.close());
  // Upstream, only browsers connect here: no device account holds a session.
  const deviceWatch = relay ? null : life.add("device account watch", startDeviceAccountWatch({ accounts, broker, log: mqttLog }), (w) => w.stop());
  localBus.attach(broker);
  // `hearth session list|end` (control-socket.ts).
  const control = await startControlSocket({ file: controlSocketPath(config.dataDir), broker, log: mqttLog });
  if (control) life.add("control socket", control, (c) => c.close());
  if (relay) life.add("upstream mirror", await relay.mirror(broker), (stop) => stop());

  // The device registry first, so the recorder knows its topics from the first retained state (broker/recording.ts).
  const recording = await startRecording(bus, history, {
    recorder: { log: createLogger("recorder") },
    devices: { config: config.devices, log: createLogger("devices"), known, retainBirth: !upstream },
  });
  life.add("recorder", recording.recorder, (r) => r.stop());
  const devices = life.add("device registry", recording.devices, (d) => d.stop());
  life.add("history pruner", startHistoryPruner(history, config.history, createLogger("history")), (p) => p.stop());
  life.add("session pruning", startSessionPruning(accounts, log), (p) => p.stop());
  const topicTap = life.add("topic tap", await startTopicTap(bus), (t) => t.stop());
  const alerts = life.add("alerts", await startAlerts(bus, config, { log: createLogger("alerts"), seedRules: config.alerts.rules, readingOf: devices.readingOf }), (a) => a.stop());
  // Rules whose meaning the converted readings changed (review-17 F4): said once, now and when devices change.
  watchRuleMeanings({ rules: alerts.service.rules, devices, log: createLogger("alerts") });
  const sessionGate = life.add("session gate", createSessionGate({ accounts, principals, log: createLogger("sessions") }), (g) => g.stop());

  const api: HubApi = {
    alerts: alerts.service,
    loginThrottle,
    topics: {
      snapshot: (now) => topicTap.stats.snapshot(now),
      overflow: () => topicTap.stats.overflow(),
      payload: (topic) => topicTap.stats.payload(topic),
    },
    sessions: sessionGate.api,
    deviceAccounts: { presence: (names) => names.map((name) => presence.read(name)), changed: async () => deviceWatch?.check() },
    deviceStates: { last: () => devices.lastStates() },
    upstream: { status: () => upstream?.status() ?? null },
    database: { status: () => database?.status() ?? null },
  };
  const web = options.pages === false ? null : life.add(
    "web thread",
    await startWebThread({
      api,
      info: {
        startedAt: Date.now(),
        historyInfo: { file: opened.where, retention: config.history },
        devices: { config: config.devices, commandTimeoutMs: config.commandTimeoutMs, availabilityGraceMs: config.availabilityGraceMs },
        mqttPorts: { plain: config.mqttPlain && !upstream ? config.mqttPort : null, tls: tls && !upstream ? config.mqttsPort : null },
        upstreamServer,
        sessionTtlMs: config.auth.sessionHours * 3_600_000,
        secureCookies: tls !== null,
        trustedProxies: config.auth.trustedProxies,
        proxyHeader: config.auth.proxyHeader,
      },
      files: { history: opened.source, accounts: accountsAt },
      next: { dir: options.pagesDir ?? path.resolve(import.meta.dirname, ".."), dev: config.dev, hostname: config.host, port: config.port },
      priority: config.webPriority,
      log: createLogger("web"),
      signal: options.signal,
    }),
    (w) => w.close(),
  );
  const proxy = web === null ? NO_PAGES : life.add("web proxy", createWebProxy({ socketPath: web.socketPath, secure: tls !== null, log: createLogger("http") }), (p) => p.close());

  // No Nagle: a small publish or PUBACK goes out at once instead of waiting up to 40 ms
  // for the previous segment's ACK (bench/README.md, "publish → pixels"); what one turn
  // of the event loop writes to a socket still goes out as one write (the broker's
  // client.ts applies coalesce-writes.ts).
  // A listener stops accepting at once; its open connections end with the broker.
  const stopListening = (server: TcpServer) => void server.close();
  if (config.mqttPlain && !upstream) {
    // Every listener's connections go to the broker, which counts them (limits.ts, through its hooks).
    const tcp = createTcpServer({ noDelay: true }, (socket) => broker.handle(socket));
    await listen(tcp, config.mqttPort, config.host, "MQTT_PORT");
    life.add("MQTT listener", tcp, stopListening);
  }
  if (tls && !upstream) {
    const mqtts = createTlsServer({ cert: tls.cert, key: tls.key }, (socket) => broker.handle(socket));
    await listen(mqtts, config.mqttsPort, config.host, "MQTTS_PORT");
    life.add("MQTTS listener", mqtts, stopListening);
  }
  const dashboard = createDashboardServer({
    web: proxy,
    log: createLogger("http"),
    checkUpgrade: sessionGate.checkUpgrade,
    handle: broker.handle,
    maxMessageBytes: config.limits.maxPacketBytes,
    tls,
  });
  await listen(dashboard.server, config.port, config.host, "PORT");
  life.add("dashboard", dashboard, (d) => d.close());
  // Stopping, the MQTT connections close here, before the services behind them stop: a
  // PUBLISH still arriving must find the recorder running, or its PUBACK would promise a
  // row nobody writes. (broker.close is idempotent; its earlier entry is the backstop.)
  life.add("MQTT connections", broker, (b) => b.close());

  const mqttUrl = config.mqttPlain && !upstream ? `mqtt://${localUrl(config.host)}:${config.mqttPort}` : null;
  let simulating = false;
  if (config.simulator.enabled && mqttUrl) {
    // The simulated devices connect as the hub's own, so they work whatever anonymous MQTT allows.
    const url = new URL(mqttUrl);
    url.username = INTERNAL_USER;
    url.password = internalPassword;
    const simulator = await startSimulator({ url: url.href, intervalMs: config.simulator.intervalMs, log: createLogger("simulator") });
    life.add("simulator", simulator, (s) => s.stop());
    simulating = true;
  } else if (config.simulator.enabled && upstream) {
    // README: the demo home does not run in upstream mode, even with HEARTH_SIMULATOR=1.
    log.warn("the simulated home is not started with an upstream broker (it would publish demo readings into it)", { code: "simulator-upstream-mode" });
  } else if (config.simulator.enabled) {
    log.warn("the simulated home needs plain MQTT (HEARTH_MQTT_PLAIN=1); it is not started", { code: "simulator-needs-plain-mqtt" });
  }
  if (upstream) {
    // Last: every service has subscribed, so what the broker queued while Hearth was away finds them all.
    upstream.start();
    life.add("upstream connection", upstream, (u) => u.end());
  }
  const shownHost = config.host === "127.0.0.1" || config.host === "0.0.0.0" ? "localhost" : localUrl(config.host);
  const secure = tls !== null ? "s" : "";
  log.info("ready", {
    dashboard: `http${secure}://${shownHost}:${config.port}`,
    mqtt: mqttUrl ?? "off",
    upstream: upstreamServer ?? undefined,
    mqtts: tls && !upstream ? `mqtts://${shownHost}:${config.mqttsPort}` : undefined,
    websocket: `ws${secure}://${shownHost}:${config.port}${MQTT_WS_PATH}`,
    anonymousMqtt: config.auth.anonymousMqtt,
    onboarding: (await accounts.userCount().catch(() => 1)) === 0 ? "open the dashboard to create the admin account" : undefined,
    data: config.dataDir,
    simulator: simulating,
  });
  return { upstream };
}

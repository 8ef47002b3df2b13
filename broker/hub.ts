// The hub: one process holding the broker, its listeners, the recorder, the
// simulated home and the dashboard. This file only composes them, in order, and
// takes them down in the reverse order.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import path from "node:path";
import { Aedes } from "aedes";
import type { HubConfig } from "../lib/config";
import { createLogger } from "../lib/log";
import { registerHub } from "../lib/hub-registry";
import { openHistory } from "../lib/history/open-history";
import { openSqliteAlertStore } from "../lib/alerts/sqlite-alert-store";
import { startAlertEngine } from "./alert-engine";
import { createLocalBus } from "./local-bus";
import { startHistoryPruner } from "./history-pruner";
import { startRecorder } from "./recorder";
import { startSimulator, type Simulator } from "./simulator";
import { startTopicTap } from "./topic-tap";
import { startDeviceRegistry, type HubDeviceRegistry } from "./device-registry";
import { createDashboardServer, MQTT_WS_PATH } from "./http-server";
import { openAccountStore, type AccountStore } from "../lib/auth/account-store";
import { createLoginThrottle } from "../lib/auth/login-throttle";
import { createPrincipals } from "./principals";
import { createAuthenticate, INTERNAL_USER } from "./authenticate";
import { createAuthorizePublish } from "./authorize-publish";
import { createAuthorizeSubscribe } from "./authorize-subscribe";
import { createSessionGate } from "./session-gate";
import { createBrokerLimits, errorCode } from "./limits";
import { coalesceWrites } from "./coalesce-writes";

export type Hub = { close(): Promise<void> };

const log = createLogger("hub");
/** Expired sessions are harmless (they are checked on use) but need not be kept. */
const SESSION_PRUNE_EVERY_MS = 60 * 60 * 1000;

/** Names the setting to change when a port is taken, instead of a bare EADDRINUSE. */
function listen(server: TcpServer | import("node:http").Server, port: number, host: string, setting: string) {
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

/** HEARTH_ADMIN_USER/PASSWORD create the first admin on a start with no users (automation, tests). */
async function ensureAdminFromEnv(accounts: AccountStore, admin: HubConfig["auth"]["admin"]) {
  if (admin === null || accounts.userCount() > 0) return;
  await accounts.createUser(admin.username, admin.password, "admin");
  log.info("created the admin account from HEARTH_ADMIN_USER", { username: admin.username });
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

export async function startHub(config: HubConfig): Promise<Hub> {
  const tls = readTls(config.tls);
  let devices: HubDeviceRegistry | null = null;
  const { store: history, where: historyWhere } = openHistory(config, createLogger("history"));
  const accounts = openAccountStore(path.join(config.dataDir, "accounts.sqlite"));
  await ensureAdminFromEnv(accounts, config.auth.admin);
  const principals = createPrincipals();
  const internalPassword = randomBytes(24).toString("base64url");
  const mqttLog = createLogger("mqtt");
  const loginThrottle = createLoginThrottle();
  const limits = createBrokerLimits(config.limits, mqttLog);
  const broker = await Aedes.createBroker({
    connectTimeout: config.limits.connectTimeoutMs,
    maxClientsIdLength: 128,
    authenticate: createAuthenticate({
      accounts,
      anonymous: config.auth.anonymousMqtt,
      principals,
      log: mqttLog,
      throttle: loginThrottle,
      internalPassword,
    }),
    authorizePublish: createAuthorizePublish({
      principals,
      log: mqttLog,
      extra: limits.checkPublish,
      // The registry starts on the bus, after the broker; until then only home/…/set are commands.
      isDeviceCommand: (topic) => devices?.isCommandTopic(topic) ?? false,
    }),
    authorizeSubscribe: createAuthorizeSubscribe({ principals, log: mqttLog, extra: limits.checkSubscribe }),
  });
  const handle = limits.guard(broker);
  // Refusals with a code were logged where they were decided; these are the rest.
  broker.on("clientError", (client, error) =>
    mqttLog.warn("client error", { code: errorCode(error), client: client?.id, error: error.message }),
  );
  broker.on("connectionError", (client, error) =>
    mqttLog.warn("connection error", { code: errorCode(error), client: client?.id || undefined, error: error.message }),
  );
  broker.on("client", (client) => log.debug("mqtt: client connected", { client: client.id }));
  broker.on("clientDisconnect", (client) => {
    principals.forget(client);
    log.debug("mqtt: client disconnected", { client: client.id });
  });
  const sessionGate = createSessionGate({ accounts, principals, log: createLogger("sessions") });

  const bus = createLocalBus(broker);
  const recorder = await startRecorder(bus, history, { log: createLogger("recorder") });
  const pruner = startHistoryPruner(history, config.history, createLogger("history"));
  const pruneSessions = () => {
    try {
      const sessions = accounts.pruneSessions();
      if (sessions > 0) log.info("accounts: removed expired sessions", { sessions });
    } catch (error) {
      log.error("accounts: session prune failed", { error: (error as Error).message });
    }
  };
  const sessionPruneTimer = setInterval(pruneSessions, SESSION_PRUNE_EVERY_MS);
  sessionPruneTimer.unref();
  pruneSessions();
  const topicTap = await startTopicTap(bus);

  devices = await startDeviceRegistry(bus, {
    config: config.devices,
    record: (reading) => recorder.record(reading),
    log: createLogger("devices"),
  });

  const alertStore = openSqliteAlertStore(path.join(config.dataDir, "alerts.sqlite"));
  const alerts = await startAlertEngine(bus, alertStore, { log: createLogger("alerts"), seedRules: config.alerts.rules });

  registerHub({
    history,
    alerts,
    flushRecorder: () => recorder.flush(),
    startedAt: Date.now(),
    topicStats: topicTap.stats,
    historyInfo: { file: historyWhere, retention: config.history },
    devices: { config: config.devices, commandTimeoutMs: config.commandTimeoutMs },
    accounts,
    loginThrottle,
    sessionTtlMs: config.auth.sessionHours * 3_600_000,
    secureCookies: tls !== null,
    dropSessionConnections: sessionGate.dropSession,
  });

  // No Nagle: a small publish or PUBACK goes out at once instead of waiting up to 40 ms
  // for the previous segment's ACK (bench/README.md, "publish → pixels"); what one turn
  // of the event loop writes to a socket still goes out as one write (coalesce-writes.ts).
  const mqttConnection = (socket: Socket) => handle(coalesceWrites(socket));
  const tcp = config.mqttPlain ? createTcpServer({ noDelay: true }, mqttConnection) : null;
  const mqtts = tls ? createTlsServer({ cert: tls.cert, key: tls.key }, mqttConnection) : null;
  const dashboard = await createDashboardServer({
    dir: path.resolve(import.meta.dirname, ".."),
    dev: config.dev,
    hostname: config.host,
    port: config.port,
    log: createLogger("http"),
    checkUpgrade: sessionGate.checkUpgrade,
    handle,
    maxMessageBytes: config.limits.maxPacketBytes,
    tls,
  });

  let simulator: Simulator | null = null;
  const close = async () => {
    await pruner.stop();
    clearInterval(sessionPruneTimer);
    sessionGate.stop();
    await topicTap.stop();
    await simulator?.stop();
    await dashboard.close();
    await devices.stop();
    for (const server of [tcp, mqtts]) {
      if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await alerts.stop();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await recorder.stop();
    alertStore.close();
    await history.close();
    accounts.close();
  };

  try {
    if (tcp) await listen(tcp, config.mqttPort, config.host, "MQTT_PORT");
    if (mqtts) await listen(mqtts, config.mqttsPort, config.host, "MQTTS_PORT");
    await listen(dashboard.server, config.port, config.host, "PORT");
    const mqttUrl = tcp ? `mqtt://${localUrl(config.host)}:${config.mqttPort}` : null;
    if (config.simulator.enabled && mqttUrl) {
      // The simulated devices connect as the hub's own, so they work whatever anonymous MQTT allows.
      const url = new URL(mqttUrl);
      url.username = INTERNAL_USER;
      url.password = internalPassword;
      simulator = await startSimulator({ url: url.href, intervalMs: config.simulator.intervalMs, log: createLogger("simulator") });
    } else if (config.simulator.enabled) {
      log.warn("the simulated home needs plain MQTT (HEARTH_MQTT_PLAIN=1); it is not started");
    }
    const shownHost = config.host === "127.0.0.1" || config.host === "0.0.0.0" ? "localhost" : localUrl(config.host);
    const secure = tls !== null ? "s" : "";
    log.info("ready", {
      dashboard: `http${secure}://${shownHost}:${config.port}`,
      mqtt: mqttUrl ?? "off",
      mqtts: mqtts ? `mqtts://${shownHost}:${config.mqttsPort}` : undefined,
      websocket: `ws${secure}://${shownHost}:${config.port}${MQTT_WS_PATH}`,
      anonymousMqtt: config.auth.anonymousMqtt,
      onboarding: accounts.userCount() === 0 ? "open the dashboard to create the admin account" : undefined,
      data: config.dataDir,
      simulator: config.simulator.enabled,
    });
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
  return { close };
}

// The hub: one process holding the broker, its listeners, the recorder, the
// simulated home and the dashboard. This file only composes them, in order, and
// takes them down in the reverse order.
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import path from "node:path";
import { Aedes } from "aedes";
import type { HubConfig } from "../lib/config";
import { createLogger } from "../lib/log";
import { registerHub } from "../lib/hub-registry";
import { openSqliteHistory } from "../lib/history/sqlite-store";
import { openSqliteAlertStore } from "../lib/alerts/sqlite-alert-store";
import { startAlertEngine } from "./alert-engine";
import { createLocalBus } from "./local-bus";
import { startHistoryPruner } from "./history-pruner";
import { startRecorder } from "./recorder";
import { startSimulator, type Simulator } from "./simulator";
import { startTopicTap } from "./topic-tap";
import { startDeviceRegistry } from "./device-registry";
import { createDashboardServer, MQTT_WS_PATH } from "./http-server";

export type Hub = { close(): Promise<void> };

const log = createLogger("hub");

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

export async function startHub(config: HubConfig): Promise<Hub> {
  const historyFile = path.join(config.dataDir, "history.sqlite");
  const history = openSqliteHistory(historyFile);
  const broker = await Aedes.createBroker({ connectTimeout: 10_000, maxClientsIdLength: 128 });
  broker.on("clientError", (client, error) =>
    log.warn("mqtt: client error", { client: client?.id, error: error.message }),
  );
  broker.on("connectionError", (client, error) =>
    log.warn("mqtt: connection error", { client: client?.id, error: error.message }),
  );
  broker.on("client", (client) => log.debug("mqtt: client connected", { client: client.id }));
  broker.on("clientDisconnect", (client) => log.debug("mqtt: client disconnected", { client: client.id }));

  const bus = createLocalBus(broker);
  const recorder = await startRecorder(bus, history, { log: createLogger("recorder") });
  const pruner = startHistoryPruner(history, config.history, createLogger("history"));
  const topicTap = await startTopicTap(bus);

  const devices = await startDeviceRegistry(bus, {
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
    historyInfo: { file: historyFile, retention: config.history },
    devices: { config: config.devices, commandTimeoutMs: config.commandTimeoutMs },
  });

  const tcp = createTcpServer(broker.handle);
  const dashboard = await createDashboardServer({
    broker,
    dir: path.resolve(import.meta.dirname, ".."),
    dev: config.dev,
    hostname: config.host,
    port: config.port,
    log: createLogger("http"),
  });

  let simulator: Simulator | null = null;
  const close = async () => {
    await pruner.stop();
    await topicTap.stop();
    await simulator?.stop();
    await dashboard.close();
    await devices.stop();
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    await alerts.stop();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await recorder.stop();
    alertStore.close();
    await history.close();
  };

  try {
    await listen(tcp, config.mqttPort, config.host, "MQTT_PORT");
    await listen(dashboard.server, config.port, config.host, "PORT");
    const mqttUrl = `mqtt://${localUrl(config.host)}:${config.mqttPort}`;
    if (config.simulator.enabled) {
      simulator = await startSimulator({ url: mqttUrl, intervalMs: config.simulator.intervalMs, log: createLogger("simulator") });
    }
    const shownHost = config.host === "127.0.0.1" || config.host === "0.0.0.0" ? "localhost" : localUrl(config.host);
    log.info("ready", {
      dashboard: `http://${shownHost}:${config.port}`,
      mqtt: mqttUrl,
      websocket: `ws://${shownHost}:${config.port}${MQTT_WS_PATH}`,
      data: config.dataDir,
      simulator: config.simulator.enabled,
    });
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
  return { close };
}

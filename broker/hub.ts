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
import { createLocalBus } from "./local-bus";
import { startRecorder } from "./recorder";
import { startSimulator, type Simulator } from "./simulator";
import { createDashboardServer, MQTT_WS_PATH } from "./http-server";

export type Hub = { close(): Promise<void> };

const log = createLogger("hub");
const PRUNE_EVERY_MS = 60 * 60 * 1000;

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
  const history = openSqliteHistory(path.join(config.dataDir, "history.sqlite"));
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
  const prune = async () => {
    try {
      const removed = await history.prune(Date.now() - config.history.rawRetentionHours * 3_600_000);
      if (removed > 0) log.info("history: pruned old readings", { removed });
    } catch (error) {
      log.error("history: prune failed", { error: (error as Error).message });
    }
  };
  const pruneTimer = setInterval(prune, PRUNE_EVERY_MS);
  pruneTimer.unref();
  void prune();

  registerHub({ history, flushRecorder: () => recorder.flush(), startedAt: Date.now() });

  // No Nagle: a small publish or PUBACK goes out at once instead of waiting up to 40 ms
  // for the previous segment's ACK (bench/README.md, "publish → pixels").
  const tcp = createTcpServer({ noDelay: true }, broker.handle);
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
    clearInterval(pruneTimer);
    await simulator?.stop();
    await dashboard.close();
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await recorder.stop();
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

// `npm start` ends here: read the config, start the hub, stop it cleanly on a signal.
import { ConfigError, loadConfig } from "../lib/config";
import { createLogger } from "../lib/log";
import { startHub, type Hub } from "./hub";

const log = createLogger("hub");

let config;
try {
  config = loadConfig(process.env, process.cwd());
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`hearth: ${error.message}\n`);
    process.exit(2);
  }
  throw error;
}

let hub: Hub;
try {
  hub = await startHub(config);
} catch (error) {
  log.error("could not start", { error: (error as Error).message });
  process.exit(1);
}

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info("stopping", { signal });
  // A hub that cannot close in time must still exit, or the port stays taken.
  const deadline = setTimeout(() => {
    log.error("did not stop within 10 s; exiting");
    process.exit(1);
  }, 10_000);
  deadline.unref();
  try {
    await hub.close();
    log.info("stopped");
    process.exit(0);
  } catch (error) {
    log.error("error while stopping", { error: (error as Error).message });
    process.exit(1);
  }
};
process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("uncaughtException", (error) => log.error("uncaught exception", { error: error.stack ?? error.message }));
process.on("unhandledRejection", (reason) => log.error("unhandled rejection", { error: String(reason) }));

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

// Registered before start-up (review-16 F14): start-up may wait up to 60 s for the web
// thread, and a signal then (systemctl stop during a slow first start) must still close
// what was opened, newest first, and remove the sockets, not kill the process.
const starting = new AbortController();
let hub: Hub | null = null;
let stopping = false;

async function closeAndExit(running: Hub): Promise<never> {
  try {
    await running.close();
    log.info("stopped");
    process.exit(0);
  } catch (error) {
    log.error("error while stopping", { error: (error as Error).message });
    process.exit(1);
  }
}

const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log.info("stopping", { signal, during: hub === null ? "start-up" : undefined });
  // A hub that cannot close in time must still exit, or the port stays taken.
  const deadline = setTimeout(() => {
    log.error("did not stop within 10 s; exiting");
    process.exit(1);
  }, 10_000);
  deadline.unref();
  // Still starting: startHub stops at its next step, closes what it opened and rejects (below).
  if (hub === null) starting.abort(new Error(`start-up stopped by ${signal}`));
  else void closeAndExit(hub);
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));

try {
  hub = await startHub(config, { signal: starting.signal });
} catch (error) {
  if (stopping) {
    log.info("stopped");
    process.exit(0);
  }
  log.error("could not start", { error: (error as Error).message });
  process.exit(1);
}
// A signal that came after start-up's last step, as it finished.
if (stopping) await closeAndExit(hub);
process.on("uncaughtException", (error) => log.error("uncaught exception", { error: error.stack ?? error.message }));
process.on("unhandledRejection", (reason) => log.error("unhandled rejection", { error: String(reason) }));

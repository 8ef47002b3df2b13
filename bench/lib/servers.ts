// Starts and stops the brokers the bench measures, each as its own process on
// 127.0.0.1 and on ports chosen here: Debian's Mosquitto with a minimal config,
// plain aedes, Hearth's broker alone (engine-server.ts, with the hub's SQLite store),
// and the real Hearth hub (the same entry point `npm start` runs).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../../e2e/free-port";
import { bundle, buildHub, HUB_BUNDLE, HUB_ENV, HUB_NODE_ARGS } from "../../scripts/build-hub";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const MOSQUITTO = "/usr/sbin/mosquitto";
/** Mosquitto 2's defaults for max_inflight_messages and max_queued_messages, written into its config. */
export const MOSQUITTO_BOUNDS = { inflight: 20, queued: 1000 } as const;
/** The hub's defaults (lib/config.ts DEFAULT_HUB_LIMITS), set in its environment so the bench says what it compares. */
export const HUB_BOUNDS = { inflight: 1000, queued: 1000 } as const;

export type BrokerName = "mosquitto" | "aedes" | "engine" | "hearth";

export type Server = {
  readonly name: BrokerName;
  readonly pid: number;
  readonly mqttPort: number;
  readonly mqttUrl: string;
  /** The dashboard's address; the hub's only. */
  readonly httpUrl?: string;
  /** Everything the process printed, for error reports. */
  output(): string;
  /** False once the process has exited (stopped, or crashed). */
  alive(): boolean;
  stop(): Promise<void>;
};

type StartOptions = {
  /** Pin the process (every thread) to this core with taskset. */
  core?: number;
};

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

function launch(
  command: string,
  args: string[],
  opts: StartOptions & { env?: NodeJS.ProcessEnv; ready: RegExp; name: string },
): Promise<{ child: ChildProcess; output: () => string }> {
  // taskset execs the command, so the pid is the broker's own.
  const [cmd, argv] = opts.core === undefined ? [command, args] : ["taskset", ["-c", String(opts.core), command, ...args]];
  const child = spawn(cmd, argv, { cwd: ROOT, env: opts.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${opts.name} did not start within ${START_TIMEOUT_MS / 1000} s:\n${text}`));
    }, START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      // Kept short: a broker under load may log a lot, and only the tail helps.
      text = (text + chunk.toString()).slice(-16_384);
      if (opts.ready.test(text)) {
        clearTimeout(timer);
        resolve({ child, output: () => text });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${opts.name} exited with code ${code} before it was ready:\n${text}`));
    });
  });
}

const running = (child: ChildProcess) => () => child.exitCode === null && child.signalCode === null;

function stopper(child: ChildProcess, cleanup: () => void): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
        child.once("exit", () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill("SIGTERM");
      });
    }
    cleanup();
  };
}

export async function startMosquitto(opts: StartOptions = {}): Promise<Server> {
  if (!existsSync(MOSQUITTO)) throw new Error(`${MOSQUITTO} is missing (apt-get install mosquitto)`);
  const dir = mkdtempSync(path.join(tmpdir(), "hearth-bench-mosquitto-"));
  const port = await freePort();
  const conf = path.join(dir, "mosquitto.conf");
  // Defaults otherwise: the reference is Mosquitto as a person would run it. Its per-client
  // bounds are stated, at their defaults, beside the hub's (HEARTH_MQTT_MAX_INFLIGHT / _QUEUED
  // below; plain aedes has none): a 3.1.1 window of 20, then 1000 queued, then dropped.
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      "allow_anonymous true",
      "persistence false",
      `max_inflight_messages ${MOSQUITTO_BOUNDS.inflight}`,
      `max_queued_messages ${MOSQUITTO_BOUNDS.queued}`,
      "log_dest stderr",
      "log_type error",
      "log_type warning",
      // "Outgoing messages are being dropped for client …" is a NOTICE.
      "log_type notice",
      "log_type information",
      "",
    ].join("\n"),
  );
  const { child, output } = await launch(MOSQUITTO, ["-c", conf], { ...opts, name: "mosquitto", ready: / running/ });
  const stop = stopper(child, () => rmSync(dir, { recursive: true, force: true }));
  return { name: "mosquitto", pid: child.pid!, mqttPort: port, mqttUrl: `mqtt://127.0.0.1:${port}`, output, alive: running(child), stop };
}

/** Both Node brokers run from bundles, as `npm start` runs the hub: tsx would add its loader to each. */
const bundles = new Map<string, Promise<string>>();
/** A bench entry point bundled beside the hub's bundle, so that its imports resolve from the project's node_modules. */
function benchBundle(entry: string, name: string): Promise<string> {
  const file = path.join(path.dirname(HUB_BUNDLE), name);
  let built = bundles.get(file);
  if (!built) bundles.set(file, (built = bundle(entry, file).then(() => file)));
  return built;
}
let hubBundle: Promise<string> | null = null;
function bundled(): { aedes: Promise<string>; engine: Promise<string>; hub: Promise<string> } {
  hubBundle ??= buildHub().then(() => HUB_BUNDLE);
  return {
    aedes: benchBundle("bench/lib/aedes-server.ts", "bench-aedes-server.mjs"),
    engine: benchBundle("bench/lib/engine-server.ts", "bench-engine-server.mjs"),
    hub: hubBundle,
  };
}

export async function startAedes(opts: StartOptions = {}): Promise<Server> {
  const port = await freePort();
  const { child, output } = await launch(process.execPath, [await bundled().aedes], {
    ...opts,
    name: "aedes",
    env: { ...process.env, PORT: String(port) },
    ready: /aedes ready/,
  });
  return { name: "aedes", pid: child.pid!, mqttPort: port, mqttUrl: `mqtt://127.0.0.1:${port}`, output, alive: running(child), stop: stopper(child, () => {}) };
}

/**
 * Hearth's broker alone (engine-server.ts): broker/mqtt with the hub's SQLite store in a
 * fresh data directory, so every PUBACK waits for its commit as in the hub, but no hooks,
 * no recorder, no web thread.
 */
export async function startEngine(opts: StartOptions = {}): Promise<Server> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "hearth-bench-engine-"));
  const port = await freePort();
  const { child, output } = await launch(process.execPath, [await bundled().engine], {
    ...opts,
    name: "engine",
    env: { ...process.env, PORT: String(port), HEARTH_DATA_DIR: dataDir },
    ready: /engine ready/,
  });
  const stop = stopper(child, () => rmSync(dataDir, { recursive: true, force: true }));
  return { name: "engine", pid: child.pid!, mqttPort: port, mqttUrl: `mqtt://127.0.0.1:${port}`, output, alive: running(child), stop };
}

export const BENCH_ADMIN = { username: "bench", password: "bench-admin-password" } as const;

/** The real hub process, as e2e/hub.ts starts it: fresh data directory, its own ports, no simulator. */
export async function startHub(
  opts: StartOptions & {
    env?: Record<string, string>;
    /** e.g. --cpu-prof */ nodeArgs?: string[];
    /** Fills the fresh data directory before the hub starts (e2e/seed-history.ts). */
    prepare?: (dataDir: string) => void | Promise<void>;
    /** Another build of the hub (a copy of dist/ beside it, e.g. dist-base/hub.mjs) for an A/B; default: BENCH_HUB_BUNDLE, else built from this tree. */
    bundle?: string;
  } = {},
): Promise<Server> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "hearth-bench-hub-"));
  await opts.prepare?.(dataDir);
  const port = await freePort();
  let mqttPort = await freePort();
  while (mqttPort === port) mqttPort = await freePort();
  // As npm start runs it (scripts/start.sh): the same node flags and malloc setting.
  // BENCH_HUB_NODE_ARGS: more node/V8 flags for an A/B of the hub, e.g. "--heap-growing-percent=10".
  const extraArgs = (process.env.BENCH_HUB_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const { child, output } = await launch(process.execPath, [...HUB_NODE_ARGS, ...extraArgs, ...(opts.nodeArgs ?? []), opts.bundle ?? process.env.BENCH_HUB_BUNDLE ?? (await bundled().hub)], {
    ...opts,
    name: "hearth hub",
    env: {
      ...process.env,
      ...HUB_ENV,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(port),
      MQTT_PORT: String(mqttPort),
      HEARTH_DATA_DIR: dataDir,
      HEARTH_SIMULATOR: "0",
      // The dashboard needs a login (issue 3): the bench's browser signs in as this admin.
      HEARTH_ADMIN_USER: BENCH_ADMIN.username,
      HEARTH_ADMIN_PASSWORD: BENCH_ADMIN.password,
      // The load generators are many fast anonymous clients on loopback; the hub's
      // per-client limits are for misbehaving devices, and would cut the load off.
      HEARTH_MQTT_MAX_PUBLISH_RATE: "1000000",
      HEARTH_MQTT_MAX_CONNECTIONS: "100000",
      HEARTH_MQTT_MAX_SUBSCRIPTIONS: "100000",
      HEARTH_MQTT_MAX_INFLIGHT: String(HUB_BOUNDS.inflight),
      HEARTH_MQTT_MAX_QUEUED: String(HUB_BOUNDS.queued),
      ...opts.env,
    },
    ready: / hub: ready/,
  });
  return {
    name: "hearth",
    pid: child.pid!,
    mqttPort,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    httpUrl: `http://127.0.0.1:${port}`,
    output,
    alive: running(child),
    stop: stopper(child, () => rmSync(dataDir, { recursive: true, force: true })),
  };
}

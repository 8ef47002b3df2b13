// The web's thread: Next.js (pages, route handlers, server actions, history reads and
// exports) runs in a worker thread, so nothing it does — a month-long chart, an 86 MB
// export, Next's AsyncLocalStorage turning on async hooks — runs on the broker's thread.
// Measured against a child process (issue 13's commit): the worker costs ~90 MB of RSS
// against ~130 MB, starts as fast, and a socket cannot be handed to it, which is why
// the hub's thread keeps the public port and proxies HTTP to it (web-proxy.ts).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setFlagsFromString } from "node:v8";
import { MessageChannel, Worker, type MessagePort } from "node:worker_threads";
import type { WebPriority } from "../lib/config-schema";
import type { HubApi, HubCall, HubReply, WebInfo, WebThreadData } from "../lib/hub-api";
import type { Logger } from "../lib/log";
import { startStarvationGuard, type StarvationGuard } from "./starvation-guard";
import type { GaveWay } from "./thread-priority";
import { createRestarts } from "./web-restarts";

export type WebThread = { socketPath: string; close(): Promise<void> };

/** Lifecycle messages between the hub and the web thread's entry (web-main.ts). */
export type WebThreadMessage =
  | { type: "ready" }
  | { type: "close" }
  | { type: "closed" }
  /** Sent as soon as the web thread has given way (web-main.ts): its kernel thread id, for the starvation guard. */
  | { type: "gave-way"; tid: number | null; got: GaveWay["got"] };

const START_TIMEOUT_MS = 60_000;

/**
 * Issue 13's export memory (< 50 MB above idle). A day's raw export beside three 30-day chart
 * readers makes the web thread promote short-lived pieces (the export's 64 KiB pieces on their
 * way to the socket, Next's per-request objects), and V8 lets an old generation grow to up to
 * 4× its live size before a full GC when the heap may reach 2 GB or more (a worker's default
 * here): without help the process was 110 MB above idle (web13, bench/README.md "Issue 13,
 * seventh pass"). `--heap-growing-percent=10` keeps it near what is live (+14 MB); it is
 * process-wide, so the broker's thread collects sooner too (its heap is ~20 MB live).
 * A 256 MB cap on the worker's old generation (resourceLimits) did the same for the web thread
 * alone (+16 MB), but it is not used: on Node 20 a worker that reaches its cap can abort the
 * whole process instead of ending the worker (nodejs/node#47224, reproduced here by review-11:
 * exit 134), which would take the broker down with it; and four paired stall runs had a worse
 * probe tail with the cap alone (p99 under reads 16.2-36.8 ms against 11.6-16.7).
 */
const HEAP_GROWING_PERCENT = 10;
/** The web thread's young generation (default ~48 MB with 16 MB semi-spaces): measured beside the old growing flag, +42 → +24 MB. */
const WEB_YOUNG_GENERATION_MB = 12;
const CLOSE_TIMEOUT_MS = 5_000;

/** The worker's entry: web-main.ts under tsx (npm run dev, tests), dist/web.mjs beside dist/hub.mjs when bundled. */
function entry(): URL {
  return import.meta.url.endsWith(".ts") ? new URL("./web-main.ts", import.meta.url) : new URL("./web.mjs", import.meta.url);
}

export async function startWebThread(opts: {
  api: HubApi;
  info: WebInfo;
  files: WebThreadData["files"];
  next: WebThreadData["next"];
  /** How the web thread and its reader threads give way to this one; "idle" unless given. */
  priority?: WebPriority;
  log: Logger;
  /** Aborted while the thread starts: it is ended, and the start rejects with the reason. */
  signal?: AbortSignal;
}): Promise<WebThread> {
  // A Unix socket only this user can reach, since the proxy's forwarded headers are trusted:
  // in a folder of its own that mkdtemp makes 0700, whatever the umask. Under umask 002
  // (Debian's user groups) the socket alone was group-writable (review-16 F13).
  const socketDir = mkdtempSync(path.join(tmpdir(), `hearth-web-${process.pid}-`));
  const socketPath = path.join(socketDir, "web.sock");
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  const removeSocket = () => rmSync(socketPath, { force: true });
  const removeSocketDir = () => rmSync(socketDir, { recursive: true, force: true });
  // Under SCHED_IDLE the web thread and its readers give way to the broker, but other programs
  // busy on every core would starve them: the guard lifts a starved one for a while (review-17 F2).
  const guard = (opts.priority ?? "idle") === "idle" ? startStarvationGuard({ log: opts.log }) : null;
  const start = () => spawnWebWorker({ ...opts, socketPath, guard });

  let current: Spawned;
  try {
    current = await start();
  } catch (error) {
    guard?.stop();
    removeSocketDir();
    throw new Error(`Cannot start the dashboard: ${(error as Error).message}`, { cause: error });
  }
  // After start-up, a crash in the web thread costs the pages a moment, never the broker:
  // it is logged and a new web thread starts on the same socket (the proxy answers 502
  // meanwhile; open pages keep their /mqtt connection, which the broker's thread holds).
  const restarts = createRestarts();
  let closing = false;
  let retry: NodeJS.Timeout | undefined;
  let restarting: Promise<void> | null = null;
  const restartIn = (delayMs: number) => {
    retry = setTimeout(() => (restarting = restart().finally(() => (restarting = null))), delayMs);
  };
  const watch = (spawned: Spawned) => {
    spawned.worker.on("error", (error) => opts.log.error("web thread failed", { error: error.stack ?? error.message }));
    spawned.worker.once("exit", (exitCode) => {
      spawned.exited = true;
      spawned.hubPort.close();
      if (closing) return;
      const delayMs = restarts.next(Date.now());
      opts.log.error("web thread exited; restarting it", { code: "web-thread-exited", exitCode, inMs: delayMs });
      restartIn(delayMs);
    });
  };
  const restart = async () => {
    try {
      removeSocket();
      const spawned = await start();
      if (closing) return void (await spawned.worker.terminate());
      current = spawned;
      watch(spawned);
      opts.log.info("web thread restarted");
    } catch (error) {
      const delayMs = restarts.next(Date.now());
      opts.log.error("web thread did not restart", { code: "web-thread-start-failed", error: (error as Error).message, inMs: delayMs });
      if (!closing) restartIn(delayMs);
    }
  };
  watch(current);

  return {
    socketPath,
    async close() {
      closing = true;
      guard?.stop();
      clearTimeout(retry);
      await restarting;
      if (!current.exited) await stopWorker(current.worker);
      removeSocketDir();
    },
  };
}

type Spawned = { worker: Worker; hubPort: MessagePort; exited?: boolean };

/** Starts a web worker and waits for its "ready"; on failure it is terminated and the error thrown. */
async function spawnWebWorker(opts: Parameters<typeof startWebThread>[0] & { socketPath: string; guard: StarvationGuard | null }): Promise<Spawned> {
  const { port1: hubPort, port2: webPort } = new MessageChannel();
  serveApi(hubPort, opts.api, opts.log);
  const data: WebThreadData = {
    hearth: 1,
    info: opts.info,
    files: opts.files,
    port: webPort,
    next: opts.next,
    socketPath: opts.socketPath,
    priority: opts.priority ?? "idle",
  };
  const worker = new Worker(entry(), {
    workerData: data,
    transferList: [webPort],
    resourceLimits: { maxYoungGenerationSizeMb: WEB_YOUNG_GENERATION_MB },
  });
  worker.on("message", (m: WebThreadMessage) => {
    if (m.type === "gave-way" && m.got === "idle" && m.tid !== null) opts.guard?.watch(m.tid, "web thread");
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the web thread did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      const done = (error?: Error) => {
        clearTimeout(timer);
        worker.off("message", onMessage);
        worker.off("error", done);
        worker.off("exit", onExit);
        opts.signal?.removeEventListener("abort", onAbort);
        if (error) reject(error);
        else resolve();
      };
      const onMessage = (m: WebThreadMessage) => m.type === "ready" && done();
      const onExit = (code: number) => done(new Error(`the web thread exited with code ${code} while starting`));
      const onAbort = () => done(opts.signal!.reason as Error);
      worker.on("message", onMessage);
      worker.once("error", done);
      worker.once("exit", onExit);
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      if (opts.signal?.aborted) onAbort();
    });
  } catch (error) {
    await worker.terminate();
    hubPort.close();
    throw error;
  }
  return { worker, hubPort };
}

/** Asks the web thread to close Next and its connections; terminate() is the backstop. */
async function stopWorker(worker: Worker): Promise<void> {
  const closed = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
    worker.on("message", (m: WebThreadMessage) => m.type === "closed" && (clearTimeout(timer), resolve()));
    worker.once("exit", () => (clearTimeout(timer), resolve()));
  });
  worker.postMessage({ type: "close" } satisfies WebThreadMessage);
  await closed;
  await worker.terminate();
}

/** Answers the web thread's HubCalls from `api`; only HubApi's own methods are reachable. */
export function serveApi(port: MessagePort, api: HubApi, log: Logger): void {
  port.on("message", (call: HubCall) => {
    void answerCall(api, call).then((reply) => {
      if (!reply.ok) log.error("hub call failed", { call: `${call.group}.${call.method}`, error: reply.error.message });
      port.postMessage(reply);
    });
  });
}

export async function answerCall(api: HubApi, call: HubCall): Promise<HubReply> {
  const group: unknown = Object.hasOwn(api, call.group) ? api[call.group as keyof HubApi] : undefined;
  const method: unknown = group && Object.hasOwn(group, call.method) ? (group as Record<string, unknown>)[call.method] : undefined;
  if (typeof method !== "function") {
    return { id: call.id, ok: false, error: { name: "HubCallError", message: `no hub method ${call.group}.${call.method}`, code: "no-such-method" } };
  }
  try {
    return { id: call.id, ok: true, value: await method.apply(group, call.args) };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    return { id: call.id, ok: false, error: { name: e.name, message: e.message, code: (e as { code?: string }).code } };
  }
}

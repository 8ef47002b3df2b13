// The hub's control socket (review-9 F3): `hearth session list` and `hearth session end`
// run in another process, and MQTT sessions live only in the running broker's memory (the
// store holds a copy, which the broker would write over). So the hub listens on a Unix
// socket in its data directory, <dataDir>/hearth.sock, reachable only by the hub's own user
// (mode 0600): whoever can write the data directory's databases may already do anything
// these commands do. One JSON line asks, one JSON line answers, then the socket closes.
import { chmodSync, mkdirSync, rmSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import path from "node:path";
import type { Logger } from "../lib/log";
import type { Broker, SessionInfo } from "./mqtt/broker";
import { RC } from "./mqtt/reason-codes";

export const CONTROL_SOCKET_FILE = "hearth.sock";
/** sun_path holds 108 bytes on Linux, 104 on macOS, with its NUL. */
const MAX_SOCKET_PATH_BYTES = 103;
/** A request longer than this is not one of ours. */
const MAX_REQUEST_BYTES = 4096;

export type ControlRequest = { op: "sessions" } | { op: "end-session"; clientId: string };
export type SessionLine = Omit<SessionInfo<unknown>, "principal">;
export type ControlReply = { ok: true; sessions: SessionLine[] } | { ok: true; ended: boolean } | { ok: false; code: string; message: string };

export const controlSocketPath = (dataDir: string) => path.join(dataDir, CONTROL_SOCKET_FILE);

/** What the hub answers; pure over the broker. */
export function answer(request: unknown, broker: Pick<Broker, "sessions" | "endSession">, log: Logger): ControlReply {
  const r = request as Partial<{ op: string; clientId: unknown }> | null;
  if (r?.op === "sessions") {
    return { ok: true, sessions: broker.sessions().map(({ clientId, owner, connected, disconnectedAt }) => ({ clientId, owner, connected, disconnectedAt })) };
  }
  if (r?.op === "end-session" && typeof r.clientId === "string") {
    // MQTT 5.0 §3.14.2.1: 0x98 "Administrative action" for a connection still on it.
    const ended = broker.endSession(r.clientId, { reasonCode: RC.administrativeAction, message: "session ended by an admin", code: "session-ended-by-admin" });
    if (ended) log.info("a session was ended from the command line", { code: "session-ended-by-admin", client: r.clientId });
    return { ok: true, ended };
  }
  return { ok: false, code: "bad-request", message: "unknown request" };
}

/** Listens on `file`; resolves with how to stop, or null when the path cannot be a socket's (logged). */
export async function startControlSocket(opts: { file: string; broker: Pick<Broker, "sessions" | "endSession">; log: Logger }): Promise<{ close(): void } | null> {
  const { file, broker, log } = opts;
  if (Buffer.byteLength(file) > MAX_SOCKET_PATH_BYTES) {
    log.warn("no control socket: the data directory's path is too long for one; `hearth session` commands cannot reach this hub", { code: "control-socket-path-too-long", file });
    return null;
  }
  // A second hub started on this data directory (it fails on its ports soon after) must not take
  // the running hub's socket away: removed, `hearth session` said no hub was running (review-11).
  if (await socketAnswers(file)) {
    log.warn("no control socket: another hub answers on it", { code: "control-socket-in-use", file });
    return null;
  }
  const server = createServer((socket) => serve(socket, broker, log));
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    // One left by a hub that crashed: nobody answers on it.
    rmSync(file, { force: true });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(file, () => {
        server.off("error", reject);
        resolve();
      });
    });
    chmodSync(file, 0o600);
  } catch (error) {
    // The hub runs without it (a read-only data directory, say): only the `hearth session` commands need it.
    server.close();
    log.warn("no control socket; `hearth session` commands cannot reach this hub", { code: "control-socket-failed", file, error: (error as Error).message });
    return null;
  }
  return {
    close() {
      server.close();
      rmSync(file, { force: true });
    },
  };
}

/** Whether something listens on the socket file `file` (a connection is accepted within a second). */
function socketAnswers(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(file);
    const done = (answers: boolean) => {
      socket.destroy();
      resolve(answers);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

function serve(socket: Socket, broker: Pick<Broker, "sessions" | "endSession">, log: Logger): void {
  let text = "";
  socket.setEncoding("utf8");
  socket.on("error", () => socket.destroy());
  // The CLI asks at once; a connection that says nothing does not stay.
  socket.setTimeout(10_000, () => socket.destroy());
  socket.on("data", (chunk: string) => {
    text += chunk;
    const end = text.indexOf("\n");
    if (end < 0 && text.length <= MAX_REQUEST_BYTES) return;
    socket.removeAllListeners("data");
    let reply: ControlReply;
    try {
      reply = end < 0 ? { ok: false, code: "bad-request", message: "request too long" } : answer(JSON.parse(text.slice(0, end)), broker, log);
    } catch (error) {
      reply = { ok: false, code: "bad-request", message: (error as Error).message };
    }
    if (!reply.ok) log.warn("control socket: request refused", { code: reply.code, reason: reply.message });
    socket.end(`${JSON.stringify(reply)}\n`);
  });
}

export class HubUnreachable extends Error {
  readonly code = "hub-not-running";
}

/** The CLI's end: one request to the hub running on `file`. */
export function askHub(file: string, request: ControlRequest): Promise<ControlReply> {
  return new Promise((resolve, reject) => {
    const socket = connect(file);
    let text = "";
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("end", () => {
      try {
        resolve(JSON.parse(text) as ControlReply);
      } catch {
        reject(new Error(`the hub answered something else: ${text.slice(0, 200)}`));
      }
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT" || error.code === "ECONNREFUSED") reject(new HubUnreachable(`no hub is running on ${path.dirname(file)} (no answer on ${file})`));
      else reject(error);
    });
  });
}

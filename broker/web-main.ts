// The web thread's entry (started by web-thread.ts; bundled as dist/web.mjs): Next.js
// on a Unix socket that only the hub's thread connects to, which splices browsers'
// connections onto it unparsed, each after a line naming the peer (web-splice.ts). It opens the thread's one set
// of hub parts (history reader, accounts, HubApi) before Next starts and closes them
// after Next has stopped; pages and route handlers reach them through lib/hub-link.ts.
import { createServer, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { parentPort, workerData } from "node:worker_threads";
import next from "next";
import { isWebThreadData } from "../lib/hub-api";
import { createLogger } from "../lib/log";
import { installWebHub } from "../lib/web-hub";
import { openWebHub } from "./open-web-hub";
import { giveWay, ownThreadId } from "./thread-priority";
import { cameThroughProxy, firstLine, MQTT_WS_PATH, parsePeerLine, requestPath, trustedHeaders, type Peer } from "./web-splice";
import type { WebThreadMessage } from "./web-thread";

const log = createLogger("http");
if (!isWebThreadData(workerData) || parentPort === null) throw new Error("web-main.ts runs only as the hub's web thread");
const port = parentPort;
const { next: options, socketPath, info } = workerData;
// Before Next starts (and before the reader threads, which inherit it): the broker's thread
// gets a core first whenever both want one (thread-priority.ts).
const priority = giveWay(workerData.priority);
if (priority.got === workerData.priority) log.info("web thread gives way to the broker", { code: "web-priority", policy: priority.got === "idle" ? "SCHED_IDLE" : "nice 10" });
else if (priority.got === "nice") log.warn("web thread runs at nice 10, not SCHED_IDLE", { code: "web-priority-nice-only", reason: priority.reason });
else log.warn("web thread keeps the broker's priority", { code: "web-priority-unchanged", reason: priority.reason });
// The hub's starvation guard watches this thread from now on, Next's start-up included (starvation-guard.ts).
port.postMessage({ type: "gave-way", tid: ownThreadId(), got: priority.got } satisfies WebThreadMessage);

const parts = await openWebHub(workerData, createLogger("web hub"));
installWebHub(parts.hub);
const server = createServer();
const peers = new WeakMap<Socket, Peer>();
// Each connection's first line is the hub's peer line; Node's HTTP handling (its parser,
// timeouts, connection tracking) starts on the bytes after it.
const [httpConnection] = server.listeners("connection") as ((socket: Socket) => void)[];
server.removeAllListeners("connection");
server.on("connection", (socket: Socket) => readPeerLine(socket, () => httpConnection.call(server, socket)));
const app = next(options);
try {
  await app.prepare();
  const handle = app.getRequestHandler();
  const upgrade = app.getUpgradeHandler();
  server.on("request", (req, res) => {
    // Read before trust(), which sets x-forwarded-proto itself.
    if (cameThroughProxy(req.headers)) res.setHeader("connection", "close");
    trust(req);
    handle(req, res).catch((error: Error) => {
      log.error("http: request failed", { url: req.url, error: error.message });
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("Internal error");
    });
  });
  server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    // /mqtt is the broker's, on a connection of its own (http-server.ts); dev's hot reload is Next's.
    if (requestPath(`${req.method} ${req.url} HTTP`) === MQTT_WS_PATH) return refuseReusedMqtt(req, socket);
    if (!options.dev) return void socket.destroy();
    trust(req);
    void upgrade(req, socket, head);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, resolve);
  });
} catch (error) {
  // The hub terminates this thread when start-up fails; the connections close first.
  installWebHub(null);
  await parts.close();
  throw error;
}

port.on("message", async (message: WebThreadMessage) => {
  if (message.type !== "close") return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await app.close();
  installWebHub(null);
  await parts.close();
  port.postMessage({ type: "closed" } satisfies WebThreadMessage);
});
port.postMessage({ type: "ready" } satisfies WebThreadMessage);

/** Reads the hub's peer line off a spliced connection, then gives the rest to `http`. */
function readPeerLine(socket: Socket, http: () => void): void {
  let head: Buffer = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    const first = firstLine(head);
    if (first === undefined) return;
    socket.off("data", onData);
    const peer = first && parsePeerLine(first.line);
    if (!first || !peer) return void socket.destroy();
    socket.pause();
    peers.set(socket, peer);
    if (first.rest.length > 0) socket.unshift(first.rest);
    http();
    socket.resume();
  };
  socket.on("data", onData);
  socket.on("error", () => socket.destroy());
}

/**
 * /mqtt reached the web thread: its connection carried another request first, which only a
 * client pooling connections does (a reverse proxy that sends no header cameThroughProxy
 * knows). 421 says to try again on a new connection (RFC 9110 §15.5.20).
 */
function refuseReusedMqtt(req: IncomingMessage, socket: Socket): void {
  log.warn("mqtt-ws: upgrade refused", {
    code: "mqtt-ws-reused-connection",
    why: "the WebSocket upgrade came on a connection that carried another request; a reverse proxy in front of the hub must not reuse connections for it",
    from: peers.get(socket)?.address,
  });
  socket.end("HTTP/1.1 421 Misdirected Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
}

/** Next sees the browser's address and scheme from the hub, never what a client claimed. */
function trust(req: IncomingMessage): void {
  const peer = peers.get(req.socket as Socket) ?? { address: "", secure: false };
  req.headers = trustedHeaders(req.headers, peer, info.trustedProxies, info.proxyHeader);
  req.rawHeaders = Object.entries(req.headers).flatMap(([name, value]) => (Array.isArray(value) ? value.flatMap((v) => [name, v]) : [name, String(value)]));
}

// The web thread's entry (started by web-thread.ts; bundled as dist/web.mjs): Next.js
// on a Unix socket that only the hub's thread connects to. Pages and route handlers
// reach the hub through lib/hub-link.ts, never through this file.
import { createServer } from "node:http";
import { parentPort, workerData } from "node:worker_threads";
import next from "next";
import { isWebThreadData } from "../lib/hub-api";
import { createLogger } from "../lib/log";
import type { WebThreadMessage } from "./web-thread";

const log = createLogger("http");
if (!isWebThreadData(workerData) || parentPort === null) throw new Error("web-main.ts runs only as the hub's web thread");
const port = parentPort;
const { next: options, socketPath } = workerData;

const server = createServer();
// The hub's proxy is the only client and keeps its connections for reuse: a server that
// closed an idle one just as the proxy reused it would fail that request (a 502).
server.keepAliveTimeout = 0;
const app = next({ ...options, httpServer: server });
await app.prepare();
const handle = app.getRequestHandler();
server.on("request", (req, res) => {
  handle(req, res).catch((error: Error) => {
    log.error("http: request failed", { url: req.url, error: error.message });
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
    res.end("Internal error");
  });
});
await new Promise<void>((resolve, reject) => {
  server.once("error", reject);
  server.listen(socketPath, resolve);
});

port.on("message", async (message: WebThreadMessage) => {
  if (message.type !== "close") return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await app.close();
  port.postMessage({ type: "closed" } satisfies WebThreadMessage);
});
port.postMessage({ type: "ready" } satisfies WebThreadMessage);

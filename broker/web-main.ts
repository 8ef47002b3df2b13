// The web thread's entry (started by web-thread.ts; bundled as dist/web.mjs): Next.js
// on a Unix socket that only the hub's thread connects to. It opens the thread's one set
// of hub parts (history reader, accounts, HubApi) before Next starts and closes them
// after Next has stopped; pages and route handlers reach them through lib/hub-link.ts.
import { createServer } from "node:http";
import { parentPort, workerData } from "node:worker_threads";
import next from "next";
import { isWebThreadData } from "../lib/hub-api";
import { createLogger } from "../lib/log";
import { installWebHub } from "../lib/web-hub";
import { openWebHub } from "./open-web-hub";
import type { WebThreadMessage } from "./web-thread";

const log = createLogger("http");
if (!isWebThreadData(workerData) || parentPort === null) throw new Error("web-main.ts runs only as the hub's web thread");
const port = parentPort;
const { next: options, socketPath } = workerData;

const parts = await openWebHub(workerData, createLogger("web hub"));
installWebHub(parts.hub);
const server = createServer();
// The hub's proxy is the only client and keeps its connections for reuse: a server that
// closed an idle one just as the proxy reused it would fail that request (a 502).
server.keepAliveTimeout = 0;
const app = next({ ...options, httpServer: server });
try {
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

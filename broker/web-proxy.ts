// The hub's thread owns the dashboard's port (so /mqtt upgrades reach the broker
// directly, TLS included) and hands every other request to Next.js on the web thread
// over a Unix socket. Bodies are piped both ways, so an export streams with
// backpressure, and a browser that goes away closes the request to Next, which stops
// the export's query.
import { Agent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import type { Logger } from "../lib/log";
import { PUBLIC_PAGE_HEADER, REMOTE_ADDRESS_HEADER } from "../lib/auth/request-headers";

/** Per hop, never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade"]);

export type WebProxy = {
  request(req: IncomingMessage, res: ServerResponse): void;
  /** A WebSocket upgrade for Next (dev's hot reload at /_next/…). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
};

/** What Next is told about the request: who sent it (for the login throttle), and nothing a client may forge. */
export function forwardedHeaders(req: IncomingMessage, secure: boolean): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
  delete headers[PUBLIC_PAGE_HEADER]; // only proxy.ts may say so
  headers[REMOTE_ADDRESS_HEADER] = req.socket.remoteAddress ?? "";
  headers["x-forwarded-proto"] = secure ? "https" : "http";
  return headers;
}

function responseHeaders(raw: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i].toLowerCase())) out.push(raw[i], raw[i + 1]);
  return out;
}

export function createWebProxy(opts: { socketPath: string; secure: boolean; log: Logger }): WebProxy {
  const { socketPath, secure, log } = opts;
  const agent = new Agent({ keepAlive: true });
  return {
    request(req, res) {
      const upstream = httpRequest({ socketPath, agent, method: req.method, path: req.url, headers: forwardedHeaders(req, secure) });
      upstream.on("response", (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, responseHeaders(answer.rawHeaders));
        answer.pipe(res);
      });
      // Set when the browser left first: the error that follows is our own destroy(), not Next failing.
      let abandoned = false;
      upstream.on("error", (error) => {
        if (abandoned) return;
        if (res.headersSent) return void res.destroy();
        log.error("http: the web thread did not answer", { url: req.url, error: error.message });
        res.writeHead(502, { "content-type": "text/plain" }).end("The dashboard is not answering");
      });
      // The browser left before the answer was complete: Next sees its request close.
      res.on("close", () => {
        if (res.writableFinished) return;
        abandoned = true;
        upstream.destroy();
      });
      req.pipe(upstream);
    },

    upgrade(req, socket, head) {
      const upstream = connect(socketPath);
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.on("error", () => socket.destroy());
      socket.on("error", () => upstream.destroy());
      upstream.pipe(socket).pipe(upstream);
    },

    close() {
      agent.destroy();
    },
  };
}

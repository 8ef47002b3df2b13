// The dashboard's port, on the broker's thread: MQTT over WebSocket on /mqtt goes
// straight to the broker; every other connection goes to Next.js on the web thread
// (web-proxy.ts), so a page never runs where MQTT does. Which is which is told from a
// connection's first request line; browsers open each WebSocket on a connection of its
// own (RFC 6455 §4.1 allows no other for a new handshake on a busy one), so /mqtt is
// always a first request.
import { createServer, type IncomingMessage } from "node:http";
import { createServer as createNetServer, type Server, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { createServer as createTlsServer } from "node:tls";
import { WebSocketServer, createWebSocketStream } from "ws";
import type { Logger } from "../lib/log";
import type { UpgradeDecision } from "./session-gate";
import type { WebProxy } from "./web-proxy";
import { firstLine, MAX_FIRST_LINE_BYTES, MQTT_WS_PATH, requestPath } from "./web-splice";

export { MQTT_WS_PATH };

/** Browsers publish commands, not bulk data: the packet limit on /mqtt, told in CONNACK and enforced by the broker (0x95). */
const MAX_WS_MESSAGE_BYTES = 256 * 1024;
/** ws accepts messages up to this many times the packet limit, so the broker refuses what lies between. */
const WS_HEADROOM = 2;

const STATUS_TEXT = { 401: "Unauthorized", 403: "Forbidden", 503: "Service Unavailable" } as const;
const LINE_TOO_LONG = "HTTP/1.1 414 URI Too Long\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
/** A connection that has not sent its first request line by then is dropped (as Node's headersTimeout would). */
const FIRST_LINE_TIMEOUT_MS = 60_000;

export type DashboardServer = { server: Server; close(): Promise<void> };

/**
 * Sends what the broker writes to a browser as few WebSocket frames as possible. ws's
 * stream has no _writev, so every write was a frame and a socket write of its own; and
 * readings arriving together from many devices went out one frame each, a task each in
 * the browser. Waiting for the end of the event loop's turn (setImmediate) sends
 * everything that turn produced as one frame, at no cost in latency worth a frame
 * (bench/README.md). Packets need not align with frames in MQTT over WebSocket (MQTT
 * 3.1.1 §6). The write callback still waits for the send, so a slow browser still
 * pushes back on the broker (its writeBufferBytes).
 */
function batchFrames(stream: Duplex): Duplex {
  const send = stream._write.bind(stream);
  stream._write = (chunk, encoding, callback) => setImmediate(send, chunk, encoding, callback);
  stream._writev = (chunks, callback) =>
    setImmediate(send, Buffer.concat(chunks.map((c) => c.chunk as Buffer)), chunks[0].encoding, callback);
  return stream;
}

export function createDashboardServer(opts: {
  /** Next on the web thread: every connection that is not for /mqtt (dev's hot reload too). */
  web: WebProxy;
  log: Logger;
  /** Decides whether a /mqtt upgrade may go ahead (session-gate.ts). */
  checkUpgrade: (req: IncomingMessage) => Promise<UpgradeDecision>;
  /** Hands an MQTT stream to the broker, with the largest packet a WebSocket message here may carry. */
  handle: (stream: Duplex, req: IncomingMessage, connection: { maxPacketBytes: number }) => void;
  /** The broker's packet limit; a WebSocket message is held to it too, at most MAX_WS_MESSAGE_BYTES. */
  maxMessageBytes: number;
  /** PEM certificate and key: HTTPS, and WSS on /mqtt. */
  tls: { cert: Buffer; key: Buffer } | null;
  /** A /mqtt request must be whole (its headers read) this soon after its connection came; tests shorten it. */
  upgradeDeadlineMs?: number;
}): DashboardServer {
  const { log, web, upgradeDeadlineMs = FIRST_LINE_TIMEOUT_MS } = opts;
  /** Each /mqtt connection's deadline, until its request is whole ('upgrade'). */
  const deadlines = new WeakMap<Duplex, NodeJS.Timeout>();
  // Only /mqtt connections reach this HTTP server (route() below); a plain request for it is not a page.
  const http = createServer((_req, res) => {
    res.writeHead(426, { "content-type": "text/plain", connection: "close", upgrade: "websocket" }).end("MQTT over WebSocket: connect with a WebSocket client");
  });
  // It never listens, so Node's headersTimeout does not run for it: an idle timeout instead,
  // which ws clears once the connection is a WebSocket.
  http.timeout = FIRST_LINE_TIMEOUT_MS;
  // Every connection of the port, to end them at close: those spliced to the web thread are no HTTP server's.
  const sockets = new Set<Socket>();
  const route = (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    routeConnection(socket, {
      mqtt: (head) => {
        // Node's headersTimeout runs only for a server that listens, and this one never does: a
        // client sending a header byte now and then would hold the socket for ever (review-6 #3).
        const deadline = setTimeout(() => {
          log.warn("mqtt-ws: the upgrade request did not arrive in time; closing", { code: "mqtt-ws-request-timeout", address: socket.remoteAddress });
          socket.destroy();
        }, upgradeDeadlineMs);
        deadlines.set(socket, deadline);
        socket.once("close", () => clearTimeout(deadline));
        socket.unshift(head);
        http.emit("connection", socket);
        socket.resume();
      },
      web: (head) => web.connection(socket, head),
      // Answered, not reset: a person (or a chart) asking for it hears why (review-6 #2).
      tooLong: () => {
        log.warn("http: request line too long; refused", { code: "request-line-too-long", address: socket.remoteAddress, limit: MAX_FIRST_LINE_BYTES });
        socket.end(LINE_TOO_LONG, () => socket.destroy());
      },
    });
  };
  // No Nagle: a live reading's frame, or a page's last bytes, go out at once (hub.ts says why).
  const server: Server = opts.tls ? createTlsServer({ cert: opts.tls.cert, key: opts.tls.key, noDelay: true }, route) : createNetServer({ noDelay: true }, route);

  const maxPacketBytes = Math.min(opts.maxMessageBytes, MAX_WS_MESSAGE_BYTES);
  // The MQTT packet is the WebSocket message: were ws's limit the packet limit, ws would
  // close (1009) while reading the frame header, before the broker could refuse the packet
  // with DISCONNECT 0x95 (MQTT 5 §3.2.2.3.6, conformance finding 2). Headroom lets the
  // broker's scanner be the one that refuses; ws buffers a message whole, so a factor, not
  // no limit, bounds what one client can make us hold.
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_HEADROOM * maxPacketBytes });
  http.on("upgrade", async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    clearTimeout(deadlines.get(socket));
    if (requestPath(`${req.method} ${req.url} HTTP`) !== MQTT_WS_PATH) return void socket.destroy();
    // Node's HTTP server let go of the socket at 'upgrade', its 'error' listener with it: a
    // browser resetting while its session is looked up (ECONNRESET) would be an uncaught
    // exception. From here on, an error only ends the socket (review-5 #7).
    socket.on("error", (error) => {
      log.debug("mqtt-ws: socket error before the upgrade", { error: error.message });
      socket.destroy();
    });
    const decision = await opts.checkUpgrade(req);
    if (!decision.ok) {
      log.warn("mqtt-ws: upgrade refused", { code: decision.code, address: req.socket.remoteAddress, origin: req.headers.origin });
      socket.end(`HTTP/1.1 ${decision.status} ${STATUS_TEXT[decision.status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    // The socket may have gone while the session was looked up.
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = batchFrames(createWebSocketStream(ws));
      // ws's stream only ends when its peer goes (it closes only once our side has
      // finished too): a browser tab closed or a phone off Wi-Fi must close the MQTT
      // connection, so its will is published and its connection no longer counted.
      stream.once("end", () => stream.destroy());
      stream.on("error", (error) => log.debug("mqtt-ws: stream error", { error: error.message }));
      // The broker holds the connection to the same figure, and tells MQTT 5 clients (Maximum Packet Size).
      opts.handle(stream, req, { maxPacketBytes });
    });
  });

  return {
    server,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      web.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Reads a new connection up to the end of its first line and hands what it read to
 * `mqtt` (a request for /mqtt) or `web` (anything else), paused; `tooLong` when the
 * first line is longer than MAX_FIRST_LINE_BYTES; drops a connection whose first line does not come.
 */
function routeConnection(socket: Socket, to: { mqtt(head: Buffer): void; web(head: Buffer): void; tooLong(): void }): void {
  let head: Buffer = Buffer.alloc(0);
  socket.setTimeout(FIRST_LINE_TIMEOUT_MS, () => socket.destroy());
  socket.on("error", () => socket.destroy());
  const onData = (chunk: Buffer) => {
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    const first = firstLine(head);
    if (first === undefined) return;
    socket.off("data", onData);
    socket.pause();
    socket.setTimeout(0);
    if (first === null) return to.tooLong();
    if (requestPath(first.line) === MQTT_WS_PATH) to.mqtt(head);
    else to.web(head);
  };
  socket.on("data", onData);
}

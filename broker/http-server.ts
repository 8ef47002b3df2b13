// The dashboard's port, on the broker's thread: MQTT over WebSocket on /mqtt goes
// straight to the broker; every other request goes to Next.js on the web thread
// (web-proxy.ts), so a page never runs where MQTT does.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Duplex } from "node:stream";
import { WebSocketServer, createWebSocketStream } from "ws";
import type { Logger } from "../lib/log";
import type { UpgradeDecision } from "./session-gate";
import type { WebProxy } from "./web-proxy";

export const MQTT_WS_PATH = "/mqtt";

/** Browsers publish commands, not bulk data: the packet limit on /mqtt, told in CONNACK and enforced by the broker (0x95). */
const MAX_WS_MESSAGE_BYTES = 256 * 1024;
/** ws accepts messages up to this many times the packet limit, so the broker refuses what lies between. */
const WS_HEADROOM = 2;

const STATUS_TEXT = { 401: "Unauthorized", 403: "Forbidden", 503: "Service Unavailable" } as const;

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
  /** Next on the web thread; in dev, it also takes the upgrades for hot reload. */
  web: WebProxy;
  dev: boolean;
  log: Logger;
  /** Decides whether a /mqtt upgrade may go ahead (session-gate.ts). */
  checkUpgrade: (req: IncomingMessage) => Promise<UpgradeDecision>;
  /** Hands an MQTT stream to the broker, with the largest packet a WebSocket message here may carry. */
  handle: (stream: Duplex, req: IncomingMessage, connection: { maxPacketBytes: number }) => void;
  /** The broker's packet limit; a WebSocket message is held to it too, at most MAX_WS_MESSAGE_BYTES. */
  maxMessageBytes: number;
  /** PEM certificate and key: HTTPS, and WSS on /mqtt. */
  tls: { cert: Buffer; key: Buffer } | null;
}): DashboardServer {
  const { log, web } = opts;
  const server: Server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }) : createServer();
  server.on("request", web.request);

  const maxPacketBytes = Math.min(opts.maxMessageBytes, MAX_WS_MESSAGE_BYTES);
  // The MQTT packet is the WebSocket message: were ws's limit the packet limit, ws would
  // close (1009) while reading the frame header, before the broker could refuse the packet
  // with DISCONNECT 0x95 (MQTT 5 §3.2.2.3.6, conformance finding 2). Headroom lets the
  // broker's scanner be the one that refuses; ws buffers a message whole, so a factor, not
  // no limit, bounds what one client can make us hold.
  const wss = new WebSocketServer({ noServer: true, maxPayload: WS_HEADROOM * maxPacketBytes });
  server.on("upgrade", async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(req.url ?? "/", "http://hub").pathname;
    if (pathname !== MQTT_WS_PATH) {
      if (opts.dev) web.upgrade(req, socket, head);
      else socket.destroy();
      return;
    }
    // Node's HTTP server let go of the socket at 'upgrade', its 'error' listener with it: a
    // browser resetting while its session is looked up (ECONNRESET) would be an uncaught
    // exception. From here on, an error only ends the socket.
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
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

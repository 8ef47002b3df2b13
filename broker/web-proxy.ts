// The hub's thread owns the dashboard's port (so /mqtt upgrades reach the broker
// directly, TLS included) and hands every other connection to Next.js on the web thread
// over a Unix socket, as bytes: it reads the first request line to tell /mqtt from the
// rest and then splices the connection, unparsed, onto the web thread (issue 13: the
// broker's thread does as little per web byte as it can; parsing every request and
// re-framing every response cost it ~160 ms of CPU per 30 MB of export). Both directions
// are piped, so an export streams with backpressure, and a browser that goes away closes
// the web thread's side too, which stops the export's query.
import { connect, type Socket } from "node:net";
import type { Logger } from "../lib/log";
import { peerLine } from "./web-splice";

export type WebProxy = {
  /** A connection whose first request is not for /mqtt; `head` is what has been read of it. */
  connection(socket: Socket, head: Buffer): void;
  close(): void;
};

const NOT_ANSWERING = "The dashboard is not answering";
const BAD_GATEWAY = `HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nContent-Length: ${NOT_ANSWERING.length}\r\nConnection: close\r\n\r\n${NOT_ANSWERING}`;

export function createWebProxy(opts: { socketPath: string; secure: boolean; log: Logger }): WebProxy {
  const { socketPath, secure, log } = opts;
  const open = new Set<Socket>();
  return {
    connection(socket, head) {
      const upstream = connect(socketPath);
      open.add(upstream);
      let answered = false;
      upstream.once("data", () => (answered = true));
      upstream.on("error", (error) => {
        // Nothing came back yet (the web thread is restarting, say): the browser gets a 502, not a reset.
        if (!answered && !socket.destroyed) {
          log.error("http: the web thread did not answer", { code: "web-not-answering", error: error.message });
          socket.end(BAD_GATEWAY);
        } else socket.destroy();
      });
      socket.on("error", () => upstream.destroy());
      socket.once("close", () => upstream.destroy());
      upstream.once("close", () => open.delete(upstream));
      upstream.write(peerLine({ address: socket.remoteAddress ?? "", secure }));
      if (head.length > 0) upstream.write(head);
      socket.pipe(upstream).pipe(socket);
      socket.resume();
    },

    close() {
      for (const upstream of open) upstream.destroy();
    },
  };
}

// The dashboard's port while a /mqtt upgrade waits for its session to be looked up
// (review 5, finding 7): a browser that goes meanwhile must not crash the hub.
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import net, { type AddressInfo } from "node:net";
import { test } from "node:test";
import type { Logger } from "../lib/log";
import { createDashboardServer } from "./http-server";
import type { UpgradeDecision } from "./session-gate";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
/** No page is asked for here; the web thread is not part of what is tested. */
const noPages = { connection: (socket: import("node:net").Socket) => void socket.destroy(), close() {} };

for (const decision of [{ ok: true }, { ok: false, status: 401, code: "no-session" }] as UpgradeDecision[]) {
  test(`a browser resetting its connection while its session is looked up raises nothing (then ${decision.ok ? "accepted" : "refused"})`, async () => {
    const uncaught: Error[] = [];
    const record = (error: Error) => uncaught.push(error);
    process.on("uncaughtException", record);
    let answered!: () => void;
    const done = new Promise<void>((resolve) => (answered = resolve));
    // The lookup answers only once the browser's connection has gone (a slow PostgreSQL).
    const checkUpgrade = (req: IncomingMessage) =>
      new Promise<UpgradeDecision>((resolve) => {
        req.socket.once("close", () => setImmediate(() => {
          resolve(decision);
          setImmediate(answered);
        }));
        client.resetAndDestroy();
      });
    const dashboard = createDashboardServer({ web: noPages, log: quiet, checkUpgrade, handle: () => assert.fail("no connection to hand over"), maxMessageBytes: 1024, tls: null });
    await new Promise<void>((resolve) => dashboard.server.listen(0, "127.0.0.1", resolve));
    const { port } = dashboard.server.address() as AddressInfo;
    const client = net.connect(port, "127.0.0.1", () => {
      client.write("GET /mqtt HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    });
    client.on("error", () => {});
    try {
      await done;
      assert.deepEqual(uncaught.map((e) => e.message), []);
    } finally {
      process.off("uncaughtException", record);
      await dashboard.close();
    }
  });
}

type Line = { level: string; message: string; code?: unknown };
function recording(): Logger & { lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, code: fields?.code });
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

async function listening(dashboard: ReturnType<typeof createDashboardServer>): Promise<number> {
  await new Promise<void>((resolve) => dashboard.server.listen(0, "127.0.0.1", resolve));
  return (dashboard.server.address() as AddressInfo).port;
}

/** Everything the server sends until it closes the connection. */
function answer(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const client = net.connect(port, "127.0.0.1", () => client.write(request));
    client.on("data", (chunk) => (text += chunk.toString("latin1")));
    client.on("error", reject);
    client.on("close", () => resolve(text));
  });
}

// Review-6 #2: the broker's thread reads the first line itself since the splice; one too
// long was reset without a status or a log line. Node's own limit (16 KB) answers 431.
test("a request line too long is answered 414 and logged with a code, not reset", async () => {
  const log = recording();
  const dashboard = createDashboardServer({ web: noPages, log, checkUpgrade: async () => ({ ok: true }), handle: () => {}, maxMessageBytes: 1024, tls: null });
  try {
    const port = await listening(dashboard);
    const text = await answer(port, `GET /api/history/series?topic=${"a".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.match(text, /^HTTP\/1\.1 414 /);
    assert.ok(log.lines.some((l) => l.code === "request-line-too-long"), JSON.stringify(log.lines));
  } finally {
    await dashboard.close();
  }
});

test("a request line as long as Node's own limit allows (a long topic's chart) still reaches the pages", async () => {
  let spliced = 0;
  const web = { connection: (socket: import("node:net").Socket) => (spliced++, void socket.end("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")), close() {} };
  const dashboard = createDashboardServer({ web, log: quiet, checkUpgrade: async () => ({ ok: true }), handle: () => {}, maxMessageBytes: 1024, tls: null });
  try {
    const port = await listening(dashboard);
    const text = await answer(port, `GET /api/history/series?topic=${"a".repeat(10_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.match(text, /^HTTP\/1\.1 200 /);
    assert.equal(spliced, 1);
  } finally {
    await dashboard.close();
  }
});

// Review-6 #3: the HTTP server for /mqtt never listens, so Node's headersTimeout never ran
// for it, and a client trickling header bytes (each resetting the idle timeout) held its
// socket for ever. The request must now be whole within the deadline.
test("an upgrade request that trickles its headers is closed at the deadline, and logged", async () => {
  const log = recording();
  const dashboard = createDashboardServer({
    web: noPages,
    log,
    checkUpgrade: async () => ({ ok: true }),
    handle: () => {},
    maxMessageBytes: 1024,
    tls: null,
    upgradeDeadlineMs: 300,
  });
  try {
    const port = await listening(dashboard);
    const closed = await new Promise<boolean>((resolve) => {
      let sent = 0;
      const client = net.connect(port, "127.0.0.1", () => client.write("GET /mqtt HTTP/1.1\r\nHost: x\r\n"));
      client.on("error", () => {});
      // Far longer than the deadline, each byte well within the idle timeout.
      const trickle = setInterval(() => {
        if (++sent > 100) {
          clearInterval(trickle);
          client.destroy();
          return resolve(false);
        }
        client.write("X");
      }, 50);
      client.on("close", () => {
        clearInterval(trickle);
        resolve(sent <= 100);
      });
    });
    assert.equal(closed, true, "the hub closed the trickling connection");
    assert.ok(log.lines.some((l) => l.code === "mqtt-ws-request-timeout"), JSON.stringify(log.lines));
  } finally {
    await dashboard.close();
  }
});

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

// Alerts on PostgreSQL as the hub starts them (issue 14): with the database away at
// start the hub runs, the alert service answers with no rules and refuses changes with
// database-unreachable, and the engine starts by itself once the database answers;
// rules made then outlive a restart. A real PostgreSQL 15 this test starts on a port
// it picked first (so it gets its own server, not the shared one).
import assert from "node:assert/strict";
import { createServer, connect, type Socket } from "node:net";
import { after, describe, it } from "node:test";
import { ruleInputSchema } from "../lib/alerts/rule";
import type { Fields, Logger } from "../lib/log";
import { freePort } from "../e2e/free-port";
import { startTestPostgres, type TestPostgres } from "../lib/pg/test-postgres";
import { startAlerts } from "./alerts-on-store";
import { startBusBroker } from "./test-bus-broker";

const codes: unknown[] = [];
const line = (_message: string, fields: Fields = {}) => void codes.push(fields.code);
const log: Logger = { debug: line, info: line, warn: line, error: line };

const seed = { ...ruleInputSchema.parse({ kind: "threshold", severity: "warning", name: "Attic hot", filter: "home/attic/temperature", direction: "above", threshold: 30, clear: 29 }), id: "attic-hot" };
const cellar = ruleInputSchema.parse({ kind: "threshold", severity: "critical", name: "Cellar cold", filter: "home/cellar/temperature", direction: "below", threshold: 2, clear: 3 });

let server: TestPostgres | null = null;
const broker = await startBusBroker();
after(async () => {
  server?.stop();
  await broker.close();
});

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(check(), what);
}

describe("alerts on PostgreSQL", () => {
  it("waits for an unreachable database, then runs on it; rules made then outlive a restart", async () => {
    const port = await freePort();
    const config = { dataDir: "/nonexistent-hearth-data", databaseUrl: `postgres://hearth@127.0.0.1:${port}/postgres` };
    const opts = { log, seedRules: [seed], backoff: { initialMs: 20, maxMs: 200 } };
    const alerts = await startAlerts(broker.bus, config, opts);
    try {
      assert.deepEqual(await alerts.service.rules(), []);
      assert.deepEqual(await alerts.service.alerts(), []);
      const refused = await alerts.service.createRule(cellar);
      assert.equal(refused.ok ? "created" : refused.code, "database-unreachable");
      assert.ok(codes.includes("database-unreachable"), "a log line with the code");

      server = await startTestPostgres({ port });
      await until(() => alerts.service.rules().length === 1, "the engine started on the seeded rule once the database answered");
      const created = await alerts.service.createRule(cellar);
      assert.ok(created.ok, JSON.stringify(created));
    } finally {
      await alerts.stop();
    }

    const again = await startAlerts(broker.bus, config, opts);
    try {
      assert.deepEqual(again.service.rules().map((r) => r.name).sort(), ["Attic hot", "Cellar cold"]);
    } finally {
      await again.stop();
    }
  });

  it("stopped while a retry is opening the store: what that retry opens is closed, no engine starts", async () => {
    server ??= await startTestPostgres({ port: await freePort() });
    // Between the hub and PostgreSQL: refuses at first, then holds a connection (the retry in flight) until released.
    const sockets = new Set<Socket>();
    let mode: "refuse" | "hold" | "pass" = "refuse";
    const held: Array<() => void> = [];
    const relay = createServer((inbound) => {
      if (mode === "refuse") return void inbound.destroy();
      sockets.add(inbound);
      inbound.on("close", () => sockets.delete(inbound));
      const chunks: Buffer[] = [];
      const buffer = (chunk: Buffer) => void chunks.push(chunk);
      inbound.on("data", buffer);
      const pass = () => {
        const outbound = connect(server!.port, "127.0.0.1");
        inbound.off("data", buffer);
        for (const chunk of chunks) outbound.write(chunk);
        inbound.pipe(outbound).pipe(inbound);
        outbound.on("error", () => inbound.destroy());
        inbound.on("error", () => outbound.destroy());
        inbound.on("close", () => outbound.destroy());
      };
      if (mode === "pass") pass();
      else held.push(pass);
    });
    await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
    const url = `postgres://hearth@127.0.0.1:${(relay.address() as { port: number }).port}/postgres`;
    try {
      const alerts = await startAlerts(broker.bus, { dataDir: "/nonexistent-hearth-data", databaseUrl: url }, { log, seedRules: [seed], backoff: { initialMs: 20, maxMs: 200 } });
      mode = "hold";
      await until(() => held.length > 0, "a retry connecting");
      await alerts.stop();
      mode = "pass";
      for (const pass of held.splice(0)) pass();
      await until(() => sockets.size === 0, "every connection the retry opened closed again");
      assert.deepEqual(alerts.service.rules(), [], "no engine runs after stop");
    } finally {
      relay.close();
      for (const s of sockets) s.destroy();
    }
  });
});

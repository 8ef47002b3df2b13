// The SQLite → PostgreSQL copy of alerts and accounts (issue 14): afterwards the hub on
// PostgreSQL has the same rules, states and events, and the same people and devices
// sign in with the same passwords and sessions; a copy stopped half-way is finished by
// running it again; the counts are checked. Real SQLite files, a real PostgreSQL 15.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { openPgAlertStore } from "./alerts/pg-alert-store";
import { ruleInputSchema } from "./alerts/rule";
import { openSqliteAlertStore } from "./alerts/sqlite-alert-store";
import { initialState } from "./alerts/state-machine";
import { openPgAccountStore } from "./auth/pg-account-store";
import { openSqliteAccountStore } from "./auth/sqlite-account-store";
import type { Logger } from "./log";
import { migrateStoreToPg, type TableProgress } from "./migrate-stores-to-pg";
import { freshDatabaseUrl, sharedPostgresUrl } from "./pg/test-postgres";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const T0 = Date.UTC(2026, 10, 1);
const dir = mkdtempSync(path.join(tmpdir(), "hearth-migrate-stores-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let server = "";
before(async () => {
  server = await sharedPostgresUrl();
});
const freshTarget = () => freshDatabaseUrl(server);

const rule = { ...ruleInputSchema.parse({ kind: "threshold", severity: "warning", name: "Attic hot", filter: "home/attic/temperature", direction: "above", threshold: 30, clear: 29 }), id: "attic-hot" };

let dirs = 0;
/** A data directory whose hub has a rule firing with 12 events, an admin with a session, and two device accounts. */
async function dataDirectory() {
  const dataDir = path.join(dir, `data-${++dirs}`);
  mkdirSync(dataDir);
  const alerts = openSqliteAlertStore(path.join(dataDir, "alerts.sqlite"), quiet);
  alerts.putRule(rule);
  alerts.putAlert({ ruleId: rule.id, topic: "home/attic/temperature", state: { ...initialState(T0), status: "firing", value: 31, firedAt: T0, reason: "threshold" } });
  alerts.appendHistory(
    Array.from({ length: 12 }, (_, i) => ({
      ruleId: rule.id, ruleName: rule.name, severity: rule.severity, topic: "home/attic/temperature",
      kind: i % 2 === 0 ? ("fired" as const) : ("resolved" as const), at: T0 + i * 1000, value: 30 + i,
      reason: i % 2 === 0 ? ("threshold" as const) : null, notified: i % 2 === 0 ? i % 4 === 0 : null,
    })),
  );
  alerts.close();
  const accounts = openSqliteAccountStore(path.join(dataDir, "accounts.sqlite"));
  await accounts.createUser("Admin", "admin-password", "admin");
  const { token } = await accounts.createSession("admin", 3_600_000);
  const kitchen = (await accounts.createDevice("kitchen-sensor", ["home/kitchen/#"])).password;
  await accounts.createDevice("attic-sensor", ["home/attic/#"]);
  await accounts.close();
  return { dataDir, token, kitchen };
}

describe("migrating alerts and accounts to PostgreSQL", () => {
  it("copies every row, continues a stopped copy without duplicates, and the hub's stores read it back", async () => {
    const { dataDir, token, kitchen } = await dataDirectory();
    const url = await freshTarget();
    const seen: TableProgress[] = [];
    const stopAt = (n: number) => (p: TableProgress) => {
      seen.push(p);
      if (seen.length === n) throw new Error("stopped");
    };
    await assert.rejects(migrateStoreToPg({ store: "alerts", sqliteFile: path.join(dataDir, "alerts.sqlite"), url, chunk: 5, onProgress: stopAt(3) }), /stopped/);
    const alerts = await migrateStoreToPg({ store: "alerts", sqliteFile: path.join(dataDir, "alerts.sqlite"), url, chunk: 5, log: quiet });
    assert.deepEqual(alerts, [
      { table: "alert rules", source: 1, found: 1 },
      { table: "alert states", source: 1, found: 1 },
      { table: "alert events", source: 12, found: 12 },
    ]);
    assert.deepEqual(seen.slice(0, 3), [
      { table: "alert rules", copied: 1, total: 1 },
      { table: "alert states", copied: 1, total: 1 },
      { table: "alert events", copied: 5, total: 12 },
    ]);
    const accounts = await migrateStoreToPg({ store: "accounts", sqliteFile: path.join(dataDir, "accounts.sqlite"), url, log: quiet });
    assert.deepEqual(accounts.map((t) => [t.table, t.source, t.found]), [["users", 1, 1], ["sessions", 1, 1], ["device accounts", 2, 2]]);

    const sqliteAlerts = openSqliteAlertStore(path.join(dataDir, "alerts.sqlite"), quiet);
    const pgAlerts = await openPgAlertStore({ url, log: quiet });
    try {
      assert.deepEqual(pgAlerts.listRules(), sqliteAlerts.listRules());
      assert.deepEqual(pgAlerts.listAlerts(), sqliteAlerts.listAlerts());
      assert.deepEqual(pgAlerts.history({ limit: 100 }), sqliteAlerts.history({ limit: 100 }));
    } finally {
      sqliteAlerts.close();
      await pgAlerts.close();
    }
    const pgAccounts = openPgAccountStore({ url, log: quiet });
    try {
      assert.equal((await pgAccounts.verifyUser("admin", "admin-password"))?.username, "Admin");
      assert.equal((await pgAccounts.sessionByToken(token))?.role, "admin", "a signed-in browser stays signed in");
      assert.deepEqual((await pgAccounts.verifyDevice("kitchen-sensor", kitchen))?.topics, ["home/kitchen/#"]);
      assert.deepEqual((await pgAccounts.listDevices()).map((d) => d.name), ["attic-sensor", "kitchen-sensor"]);
    } finally {
      await pgAccounts.close();
    }
  });

  it("runs as `npm run hearth -- migrate --to <url>` on a data directory without history, printing progress and what it verified", async () => {
    const { dataDir } = await dataDirectory();
    const url = await freshTarget();
    const root = path.resolve(import.meta.dirname, "..");
    const run = () =>
      promisify(execFile)(process.execPath, ["--import", "tsx", "broker/cli.ts", "migrate", "--to", url], {
        env: { ...process.env, HEARTH_DATA_DIR: dataDir },
        cwd: root,
      });
    const { stdout } = await run();
    assert.match(stdout, /alert events: 12 of 12 \(100%\)/);
    assert.match(stdout, /Verified: 1 alert rules, 1 alert states, 12 alert events are in PostgreSQL/);
    assert.match(stdout, /Verified: 1 users, 1 sessions, 2 device accounts are in PostgreSQL/);
    const again = await run();
    assert.match(again.stdout, /Verified: 1 users/, "a second run finds everything there and says so");
  });
});

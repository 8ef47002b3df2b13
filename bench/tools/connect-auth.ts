// How long a device's CONNECT takes to be accepted with its account in SQLite and in
// PostgreSQL (issue 14: the broker's authenticate hook reads the account store on every
// CONNECT; it is async, so PostgreSQL adds a round trip, not a blocked thread), beside an
// anonymous loopback CONNECT that reads no account. Connect → CONNACK, sequential, on the
// hub's own broker with its own authenticate hook; and the session read a browser's
// /mqtt upgrade waits for. Run it under the lock:
//   flock /work/locks/heavy.lock node --import tsx bench/tools/connect-auth.ts [connects]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import mqtt from "mqtt";
import type { AccountStore } from "../../lib/auth/account-store";
import { createLoginThrottle } from "../../lib/auth/login-throttle";
import { openPgAccountStore } from "../../lib/auth/pg-account-store";
import { openSqliteAccountStore } from "../../lib/auth/sqlite-account-store";
import { startTestPostgres } from "../../lib/pg/test-postgres";
import { createAuthenticate } from "../../broker/authenticate";
import { quietLog, startTestBroker } from "../../broker/mqtt/test-server";
import { createPrincipals } from "../../broker/principals";

const connects = Number(process.argv[2] ?? 40);

async function timeConnects(accounts: AccountStore, credentials: { username?: string; password?: string }): Promise<number[]> {
  const principals = createPrincipals();
  const authenticate = createAuthenticate({
    accounts,
    anonymous: "loopback",
    anonymousTopics: { publish: ["#"], subscribe: ["#"] },
    principals,
    log: quietLog(),
    throttle: createLoginThrottle(),
    internalPassword: "unused-internal-password",
  });
  const broker = await startTestBroker({ hooks: [principals, authenticate] as never });
  const times: number[] = [];
  try {
    for (let i = 0; i < connects + 3; i++) {
      const start = process.hrtime.bigint();
      const client = await mqtt.connectAsync(broker.url, { ...credentials, protocolVersion: 4, reconnectPeriod: 0, clientId: `bench-${i}` }, false);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      await client.endAsync();
      if (i >= 3) times.push(ms); // the first connects warm up code paths and the pool
    }
  } finally {
    await broker.close();
  }
  return times;
}

/** The read a browser's /mqtt upgrade waits for: one session by its token's hash. */
async function timeSessionChecks(accounts: AccountStore): Promise<number[]> {
  if ((await accounts.userCount()) === 0) await accounts.createUser("bench-admin", "bench-password", "admin");
  const { token } = await accounts.createSession("bench-admin", 3_600_000);
  const times: number[] = [];
  for (let i = 0; i < connects + 3; i++) {
    const start = process.hrtime.bigint();
    await accounts.sessionByToken(token);
    if (i >= 3) times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times;
}

const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(2);
  return `median ${at(0.5)} ms, p90 ${at(0.9)} ms (n=${sorted.length})`;
};

const dir = mkdtempSync(path.join(tmpdir(), "hearth-connect-auth-"));
const pg = await startTestPostgres({ durable: true });
try {
  const stores: [string, AccountStore][] = [
    ["SQLite", openSqliteAccountStore(path.join(dir, "accounts.sqlite"))],
    ["PostgreSQL", openPgAccountStore({ url: pg.url, log: quietLog() })],
  ];
  for (const [name, accounts] of stores) {
    const { password } = await accounts.createDevice("bench-sensor", ["home/bench/#"]);
    console.log(`anonymous (no account read), ${name} hub: ${summary(await timeConnects(accounts, {}))}`);
    console.log(`device account in ${name}: ${summary(await timeConnects(accounts, { username: "bench-sensor", password }))}`);
    console.log(`session check (the /mqtt upgrade's read, no scrypt) in ${name}: ${summary(await timeSessionChecks(accounts))}`);
    await accounts.close();
  }
} finally {
  pg.stop();
  rmSync(dir, { recursive: true, force: true });
}

// The account contract on a real PostgreSQL 15 (lib/pg/test-postgres.ts), a schema per test.
import { before } from "node:test";
import pg from "pg";
import type { Logger } from "../log";
import { freshSchema, sharedPostgresUrl } from "../pg/test-postgres";
import { accountStoreContract } from "./account-store-contract";
import { openPgAccountStore } from "./pg-account-store";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
let url = "";
before(async () => {
  url = await sharedPostgresUrl();
});

/** Every row of the schema's account tables, as text. */
async function dump(schema: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = ["account_users", "account_sessions", "account_devices"];
    const parts = await Promise.all(tables.map((t) => client.query(`SELECT t::text AS row FROM ${schema}.${t} t`)));
    return parts.flatMap((p) => p.rows.map((r: { row: string }) => r.row)).join("\n");
  } finally {
    await client.end();
  }
}

accountStoreContract("PostgreSQL", async () => {
  const schema = await freshSchema(url);
  return { open: () => openPgAccountStore({ url, schema, log: quiet }), dump: () => dump(schema) };
});

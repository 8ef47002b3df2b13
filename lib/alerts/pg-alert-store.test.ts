// The alert contract on a real PostgreSQL 15 (lib/pg/test-postgres.ts), a schema per test.
import { before } from "node:test";
import type { Logger } from "../log";
import { freshSchema, sharedPostgresUrl } from "../pg/test-postgres";
import { openPgAlertStore } from "./pg-alert-store";
import { alertStoreContract } from "./store-contract";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
let url = "";
before(async () => {
  url = await sharedPostgresUrl();
});

alertStoreContract("PostgreSQL", async () => {
  const schema = await freshSchema(url);
  return () => openPgAlertStore({ url, schema, log: quiet });
});

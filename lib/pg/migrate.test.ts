// Schema migrations on a real PostgreSQL 15: the hub opens history, alerts and accounts
// at once, and its web thread opens two of them again; every one must succeed on its
// first try on an empty database (they once raced to create hearth_schema).
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Logger } from "../log";
import { migrate } from "./migrate";
import { openPool } from "./pool";
import { freshSchema, sharedPostgresUrl } from "./test-postgres";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
let url = "";
before(async () => {
  url = await sharedPostgresUrl();
});

describe("migrate", () => {
  it("runs several stores' first migrations at once, each step exactly once", async () => {
    const schema = await freshSchema(url);
    const stores = ["history", "alerts", "accounts", "history", "accounts"];
    const pools = stores.map(() => openPool({ url, schema, log: quiet, max: 1 }));
    try {
      const steps = (store: string) => [`CREATE TABLE IF NOT EXISTS ${store}_things (id int)`, `INSERT INTO ${store}_things VALUES (1)`];
      await Promise.all(stores.map((store, i) => migrate(pools[i], store, steps(store))));
      for (const store of new Set(stores)) {
        const { rows } = await pools[0].query<{ n: number }>(`SELECT count(*)::int AS n FROM ${store}_things`);
        assert.equal(rows[0].n, 1, `${store}'s steps ran once`);
      }
      const { rows } = await pools[0].query("SELECT store, version FROM hearth_schema ORDER BY store");
      assert.deepEqual(rows, [{ store: "accounts", version: 2 }, { store: "alerts", version: 2 }, { store: "history", version: 2 }]);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });
});

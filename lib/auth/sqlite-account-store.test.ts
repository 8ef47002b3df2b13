// The account contract on SQLite: a file per test in a temporary folder.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after } from "node:test";
import { accountStoreContract } from "./account-store-contract";
import { openSqliteAccountStore } from "./sqlite-account-store";

const dir = mkdtempSync(path.join(tmpdir(), "hearth-accounts-"));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
accountStoreContract("SQLite", async () => {
  const file = path.join(dir, `accounts-${++files}.sqlite`);
  return {
    open: () => openSqliteAccountStore(file),
    // The file and its write-ahead log: a copy of the data directory is what could leak.
    dump: async () => [file, `${file}-wal`].map((f) => readFileSync(f, { flag: "a+" }).toString("latin1")).join(""),
  };
});

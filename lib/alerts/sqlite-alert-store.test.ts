// The alert contract on SQLite: a file per test in a temporary folder.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after } from "node:test";
import { openSqliteAlertStore } from "./sqlite-alert-store";
import { alertStoreContract } from "./store-contract";
import type { Logger } from "../log";

const dir = mkdtempSync(path.join(tmpdir(), "hearth-alert-contract-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

let files = 0;
alertStoreContract("SQLite", async () => {
  const file = path.join(dir, `alerts-${++files}.sqlite`);
  return async () => openSqliteAlertStore(file, quiet);
});

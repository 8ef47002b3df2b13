import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { databaseFaultCode, storageFaultCode } from "./database-fault";
import { isTransientSqliteError } from "./sqlite";

test("a write SQLite cannot make is a storage fault with a code a person's message can follow (review-8 F9)", () => {
  const dir = mkdtempSync(join(tmpdir(), "hearth-fault-"));
  try {
    const file = join(dir, "accounts.sqlite");
    const writer = new Database(file);
    writer.exec("CREATE TABLE sessions (token TEXT PRIMARY KEY)");
    writer.close();
    const readOnly = new Database(file, { readonly: true });
    let error: unknown = null;
    try {
      readOnly.prepare("INSERT INTO sessions VALUES ('x')").run();
    } catch (caught) {
      error = caught;
    }
    readOnly.close();
    assert.equal(storageFaultCode(error), "disk-read-only");
    assert.equal(databaseFaultCode(error), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(storageFaultCode(Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" })), "disk-full");
  assert.equal(storageFaultCode(Object.assign(new Error("disk I/O error"), { code: "SQLITE_IOERR_WRITE" })), "storage-failed");
});

test("a refusal of the data itself, or any other error, is not a storage fault", () => {
  assert.equal(storageFaultCode(Object.assign(new Error("UNIQUE constraint failed"), { code: "SQLITE_CONSTRAINT_PRIMARYKEY" })), null);
  assert.equal(storageFaultCode(new Error("boom")), null);
  assert.equal(storageFaultCode(null), null);
  assert.equal(databaseFaultCode(Object.assign(new Error("away"), { code: "database-unreachable" })), "database-unreachable");
});

test("what a retry may mend (the write groups) and what a person is told is a storage fault (the login) are one list", () => {
  const cases: [code: string, fault: string | null][] = [
    ["SQLITE_BUSY_TIMEOUT", "storage-failed"],
    ["SQLITE_IOERR_FSYNC", "storage-failed"],
    ["SQLITE_READONLY_DBMOVED", "disk-read-only"],
    ["SQLITE_FULL", "disk-full"],
    // Transient for the write groups before, and now a storage fault on the login page too (it was Next's error page).
    ["SQLITE_INTERRUPT", "storage-failed"],
    ["SQLITE_ABORT_ROLLBACK", "storage-failed"],
    ["SQLITE_CONSTRAINT_CHECK", null],
    ["SQLITE_MISMATCH", null],
    ["SQLITE_ERROR", null],
  ];
  for (const [code, fault] of cases) {
    const error = new Database.SqliteError(`a ${code}`, code);
    assert.equal(storageFaultCode(error), fault, code);
    assert.equal(isTransientSqliteError(error), fault !== null, code);
  }
});

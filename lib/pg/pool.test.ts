// What a log line, an error or the settings page may say of where the database is:
// never its password, wherever in the URL it was given (review 5, finding 9).
import assert from "node:assert/strict";
import { test } from "node:test";
import { redactUrl, wrapError } from "./pool";

test("redactUrl masks the password in the user part and in the query string", () => {
  assert.equal(redactUrl("postgres://hearth:s3cret@db:5432/hearth"), "postgres://hearth:***@db:5432/hearth");
  assert.equal(redactUrl("postgres://hearth@db/hearth?password=s3cret"), "postgres://hearth@db/hearth?password=***");
  assert.equal(
    redactUrl("postgres://hearth@db/hearth?sslmode=verify-full&sslpassword=k3y&PASSWORD=s3cret"),
    "postgres://hearth@db/hearth?sslmode=verify-full&sslpassword=***&PASSWORD=***",
  );
  assert.equal(redactUrl("postgres://hearth@db/hearth"), "postgres://hearth@db/hearth");
  assert.equal(redactUrl("not a url"), "(an unparsable URL)");
});

test("an unreachable database's error names where it is, without the password", () => {
  const error = wrapError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }), "postgres://hearth@db/hearth?password=s3cret");
  assert.equal(error.code, "database-unreachable");
  assert.equal(error.message.includes("s3cret"), false, error.message);
  assert.match(error.message, /PostgreSQL at postgres:\/\/hearth@db\/hearth\?password=\*\*\*/);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { classifyFailure, closedFailure, connected, failed, initialStatus, retryDelay } from "./upstream-status";

test("failures get their stable code", () => {
  const cases: [{ message: string; code?: string | number }, 4 | 5, string, string][] = [
    [{ message: "Connection refused: Bad username or password", code: 0x86 }, 5, "upstream-auth-failed", "refused"],
    [{ message: "Connection refused: Not authorized", code: 0x87 }, 5, "upstream-auth-failed", "refused"],
    [{ message: "Connection refused: Bad username or password", code: 4 }, 4, "upstream-auth-failed", "refused"],
    [{ message: "Connection refused: Not authorized", code: 5 }, 4, "upstream-auth-failed", "refused"],
    [{ message: "Connection refused: Server unavailable", code: 3 }, 4, "upstream-refused", "refused"],
    [{ message: "Server unavailable", code: 0x88 }, 5, "upstream-refused", "refused"],
    [{ message: "self-signed certificate", code: "DEPTH_ZERO_SELF_SIGNED_CERT" }, 5, "upstream-tls-failed", "refused"],
    [{ message: "Hostname/IP does not match certificate's altnames", code: "ERR_TLS_CERT_ALTNAME_INVALID" }, 5, "upstream-tls-failed", "refused"],
    [{ message: "connect ECONNREFUSED 127.0.0.1:1883", code: "ECONNREFUSED" }, 5, "upstream-unreachable", "unreachable"],
    [{ message: "getaddrinfo ENOTFOUND broker.lan", code: "ENOTFOUND" }, 4, "upstream-unreachable", "unreachable"],
    [{ message: "connack timeout" }, 5, "upstream-unreachable", "unreachable"],
  ];
  for (const [error, version, code, state] of cases) {
    const failure = classifyFailure(error, version);
    assert.deepEqual([failure.code, failure.state], [code, state], error.message);
  }
});

test("backoff doubles from 1 s to at most 30 s", () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 20].map(retryDelay), [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
});

test("'since' is when the trouble began, kept across retries and changes of cause; a connection resets it", () => {
  const unreachable = classifyFailure({ message: "refused", code: "ECONNREFUSED" }, 5);
  const auth = classifyFailure({ message: "no", code: 0x86 }, 5);
  let status = connected("mqtt://b:1883", 1000);
  status = failed(status, closedFailure(null, true), "mqtt://b:1883", 5000);
  assert.deepEqual([status.state, status.code, status.since, status.attempt], ["unreachable", "upstream-lost", 5000, 1]);
  status = failed(status, unreachable, "mqtt://b:1883", 6000);
  status = failed(status, auth, "mqtt://b:1883", 9000);
  assert.deepEqual([status.state, status.code, status.since, status.attempt], ["refused", "upstream-auth-failed", 5000, 3]);
  assert.equal(connected("mqtt://b:1883", 12000).since, 12000);
  assert.equal(failed(initialStatus("x", 0), unreachable, "x", 700).since, 700, "the first failure at start is its own 'since'");
});

test("a working connection that closes after a socket error is 'lost', not 'unreachable'", () => {
  const reset = classifyFailure({ message: "read ECONNRESET", code: "ECONNRESET" }, 4);
  assert.equal(closedFailure(reset, true).code, "upstream-lost");
  assert.equal(closedFailure(reset, false).code, "upstream-unreachable");
  assert.equal(closedFailure(null, false).code, "upstream-unreachable");
});

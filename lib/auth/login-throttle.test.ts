import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createLoginThrottle } from "./login-throttle";

const base = { freeAttempts: 3, firstLockoutMs: 1000, maxLockoutMs: 5000, forgetAfterMs: 60_000 };
const options = () => base;

describe("login throttle", () => {
  it("lets a few failures through, then locks out for doubling times up to a cap", () => {
    const t = createLoginThrottle(options);
    const keys = ["user:alice"];
    t.failed(keys, 0);
    t.failed(keys, 0);
    assert.equal(t.retryAfter(keys, 0), 0);
    t.failed(keys, 0); // third failure: locked for 1 s
    assert.equal(t.retryAfter(keys, 0), 1000);
    assert.equal(t.retryAfter(keys, 400), 600);
    assert.equal(t.retryAfter(keys, 1000), 0);
    t.failed(keys, 1000);
    assert.equal(t.retryAfter(keys, 1000), 2000);
    t.failed(keys, 3000);
    t.failed(keys, 7000);
    t.failed(keys, 12_000);
    assert.equal(t.retryAfter(keys, 12_000), 5000, "capped");
  });

  it("locks when any one key is locked: a username or an address", () => {
    const t = createLoginThrottle(options);
    for (const user of ["a", "b", "c"]) t.failed([`user:${user}`, "address:10.0.0.9"], 0);
    assert.equal(t.retryAfter(["user:d", "address:10.0.0.9"], 0), 1000);
    assert.equal(t.retryAfter(["user:d", "address:10.0.0.10"], 0), 0);
  });

  it("gives each kind of key its own allowance", () => {
    const t = createLoginThrottle((key) => (key.startsWith("address:") ? { ...base, freeAttempts: 5 } : base));
    for (let i = 0; i < 3; i++) t.failed([`user:u${i}`, "address:10.0.0.9"], 0);
    assert.equal(t.retryAfter(["address:10.0.0.9"], 0), 0);
    t.failed(["user:x", "address:10.0.0.9"], 0);
    t.failed(["user:y", "address:10.0.0.9"], 0);
    assert.equal(t.retryAfter(["address:10.0.0.9"], 0), 1000);
  });

  it("a success clears the failures; old failures are forgotten", () => {
    const t = createLoginThrottle(options);
    t.failed(["user:a"], 0);
    t.failed(["user:a"], 0);
    t.succeeded(["user:a"]);
    t.failed(["user:a"], 0);
    t.failed(["user:a"], 0);
    assert.equal(t.retryAfter(["user:a"], 0), 0);
    t.failed(["user:a"], 120_000); // the two before are older than forgetAfterMs: this is a first failure
    assert.equal(t.retryAfter(["user:a"], 120_000), 0);
  });
});

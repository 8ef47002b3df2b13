import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { createLoginThrottle, DEFAULT_THROTTLE, RESERVATION_MS, type LoginThrottle } from "./login-throttle";

const base = { freeAttempts: 3, firstLockoutMs: 1000, maxLockoutMs: 5000, forgetAfterMs: 60_000 };
const options = () => base;

/** One whole attempt that fails at `now`: begin, then end as failed. */
const fail = (t: LoginThrottle, keys: string[], now: number) => {
  assert.equal(t.begin(keys, now), 0, "the attempt may start");
  t.end(keys, "failed", now);
};

/**
 * How long a new attempt on `keys` would be held back at `now` (0: it may start), asked as
 * callers ask, with begin; one let through is settled as abandoned, which counts nothing.
 */
const retryAfter = (t: LoginThrottle, keys: string[], now?: number) => {
  const ms = t.begin(keys, now);
  if (ms === 0) t.end(keys, "abandoned", now);
  return ms;
};

describe("login throttle", () => {
  it("lets a few failures through, then locks out for doubling times up to a cap", () => {
    const t = createLoginThrottle(options);
    const keys = ["user:alice"];
    fail(t, keys, 0);
    fail(t, keys, 0);
    assert.equal(retryAfter(t, keys, 0), 0);
    fail(t, keys, 0); // third failure: locked for 1 s
    assert.equal(retryAfter(t, keys, 0), 1000);
    assert.equal(t.begin(keys, 400), 600, "refused while locked");
    assert.equal(retryAfter(t, keys, 1000), 0);
    fail(t, keys, 1000);
    assert.equal(retryAfter(t, keys, 1000), 2000);
    fail(t, keys, 3000);
    fail(t, keys, 7000);
    fail(t, keys, 12_000);
    assert.equal(retryAfter(t, keys, 12_000), 5000, "capped");
  });

  it("locks when any one key is locked: a username or an address", () => {
    const t = createLoginThrottle(options);
    for (const user of ["a", "b", "c"]) fail(t, [`user:${user}`, "address:10.0.0.9"], 0);
    assert.equal(t.begin(["user:d", "address:10.0.0.9"], 0), 1000);
    assert.equal(retryAfter(t, ["user:d", "address:10.0.0.10"], 0), 0);
  });

  it("gives each kind of key its own allowance", () => {
    const t = createLoginThrottle((key) => (key.startsWith("address:") ? { ...base, freeAttempts: 5 } : base));
    for (let i = 0; i < 3; i++) fail(t, [`user:u${i}`, "address:10.0.0.9"], 0);
    assert.equal(retryAfter(t, ["address:10.0.0.9"], 0), 0);
    fail(t, ["user:x", "address:10.0.0.9"], 0);
    fail(t, ["user:y", "address:10.0.0.9"], 0);
    assert.equal(retryAfter(t, ["address:10.0.0.9"], 0), 1000);
  });

  it("a success clears the account's failures, not the address's; old failures are forgotten", () => {
    const t = createLoginThrottle(options);
    const keys = ["user:a", "address:10.0.0.9"];
    fail(t, keys, 0);
    fail(t, keys, 0);
    assert.equal(t.begin(keys, 0), 0);
    t.end(keys, "succeeded", 0);
    fail(t, ["user:a"], 0);
    fail(t, ["user:a"], 0);
    assert.equal(retryAfter(t, ["user:a"], 0), 0, "the account starts again");
    fail(t, ["address:10.0.0.9"], 0);
    assert.equal(retryAfter(t, ["address:10.0.0.9"], 0), 1000, "the address kept its two failures");
    fail(t, ["user:a"], 120_000); // the two before are older than forgetAfterMs: this is a first failure
    assert.equal(retryAfter(t, ["user:a"], 120_000), 0);
  });

  it("counts attempts in flight against the allowance; an abandoned one gives its place back", () => {
    const t = createLoginThrottle(options);
    const keys = ["user:a"];
    for (let i = 0; i < 3; i++) assert.equal(t.begin(keys, 0), 0);
    assert.equal(t.begin(keys, 0), 1000, "a fourth guess while three are being hashed");
    t.end(keys, "abandoned", 0);
    assert.equal(t.begin(keys, 0), 0, "the database failing is not a wrong password");
    assert.equal(t.begin(keys, RESERVATION_MS), 0, "reservations whose end never came stop counting");
  });

  it("lets at most the allowance be checked when guesses arrive all at once (review 8, F2)", async () => {
    const t = createLoginThrottle(DEFAULT_THROTTLE); // the hub's own: five per account
    let checked = 0;
    // The store's verify: slow like scrypt on a busy pool, and always wrong.
    const slowVerify = async () => {
      checked++;
      await sleep(20);
      return false;
    };
    const attempt = async (): Promise<"checked" | "throttled"> => {
      const keys = ["device:kitchen-sensor", "address:192.0.2.9"];
      if ((await t.reserve(keys)) > 0) return "throttled";
      t.end(keys, (await slowVerify()) ? "succeeded" : "failed");
      return "checked";
    };
    const results = await Promise.all(Array.from({ length: 50 }, attempt));
    assert.equal(checked, 5);
    assert.equal(results.filter((r) => r === "throttled").length, 45);
    assert.ok(retryAfter(t, ["device:kitchen-sensor"]) > 0, "and the account is locked after them");
  });

  it("lets every right password in when more devices than the allowance connect at once: the rest wait their turn (review 9, F1)", async () => {
    const t = createLoginThrottle(DEFAULT_THROTTLE);
    let checking = 0;
    let most = 0;
    // Eight sensors flashed with one account, and 25 accounts behind one address, after a hub restart.
    const slowRightVerify = async () => {
      most = Math.max(most, ++checking);
      await sleep(20);
      checking--;
      return true;
    };
    const attempt = async (keys: string[]): Promise<"in" | "throttled"> => {
      if ((await t.reserve(keys)) > 0) return "throttled";
      t.end(keys, (await slowRightVerify()) ? "succeeded" : "failed");
      return "in";
    };
    const shared = await Promise.all(Array.from({ length: 8 }, () => attempt(["device:esp-sensors", "address:192.0.2.10"])));
    assert.deepEqual(shared, Array(8).fill("in"));
    assert.ok(most <= 5, `at most the account's allowance checked at once (${most})`);
    const oneAddress = await Promise.all(Array.from({ length: 25 }, (_, i) => attempt([`device:sensor-${i}`, "address:192.0.2.11"])));
    assert.deepEqual(oneAddress, Array(25).fill("in"));
    assert.ok(most <= 20, `at most the address's allowance checked at once (${most})`);
  });
});

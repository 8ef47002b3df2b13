import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { takeToken } from "./limits";

describe("publish rate bucket", () => {
  it("allows a burst of one second's allowance, then the rate", () => {
    const bucket = { tokens: 5, at: 0 };
    const burst = Array.from({ length: 7 }, () => takeToken(bucket, 0, 5));
    assert.deepEqual(burst, [true, true, true, true, true, false, false]);
    assert.equal(takeToken(bucket, 100, 5), false, "half a token after 100 ms");
    assert.equal(takeToken(bucket, 200, 5), true, "a whole one after 200 ms");
    assert.equal(takeToken(bucket, 10_000, 5), true);
    assert.ok(bucket.tokens <= 4, "never more than one second's allowance banked");
  });
});

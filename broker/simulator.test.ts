import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sampleWave } from "./simulator";


describe("sampleWave", () => {
  const wave = { base: 20, amplitude: 2, periodMin: 60, noise: 0.5, decimals: 1 };
  it("starts at the base value and stays within amplitude plus noise", () => {
    assert.equal(sampleWave(wave, 0, 0), 20);
    for (let minute = 0; minute < 120; minute += 7) {
      for (const noise of [-1, 0, 1]) {
        const value = sampleWave(wave, minute * 60_000, noise);
        assert.ok(value >= 17.5 && value <= 22.5, `${value} at minute ${minute}`);
      }
    }
  });
  it("peaks a quarter period in and rounds like a sensor", () => {
    assert.equal(sampleWave(wave, 15 * 60_000, 0), 22);
    assert.equal(sampleWave({ ...wave, decimals: 0 }, 15 * 60_000, 0.9), 22);
  });
});

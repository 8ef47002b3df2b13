import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toggleGate, type ToggleGateInput } from "./toggle-gate";

const T0 = 1_700_000_000_000;
const base: ToggleGateInput = {
  connection: "connected",
  canControl: true,
  availability: "online",
  expectsAvailability: true,
  unknownSince: T0,
  now: T0 + 60_000,
  pending: false,
};

describe("toggleGate", () => {
  it("the first connection attempt disables it quietly (the header says Connecting…)", () => {
    assert.deepEqual(toggleGate({ ...base, connection: "connecting" }), { enabled: false, reason: null, availability: "online" });
  });

  const cases: Array<[name: string, change: Partial<ToggleGateInput>, reason: string | null, shown: string | null]> = [
    ["an online device can be switched", {}, null, "online"],
    ["offline disables it", { availability: "offline" }, "offline", "offline"],
    ["unknown for longer than the grace disables it", { availability: null }, "unknown", "unknown"],
    ["unknown within the grace is not yet unknown", { availability: null, now: T0 + 9_999 }, null, null],
    ["no availability topic at all: nothing to know", { availability: null, expectsAvailability: false }, null, null],
    ["a viewer sees view only, whatever the device", { canControl: false, availability: "offline" }, "view-only", "offline"],
    ["a lost connection disables it", { connection: "down" }, "not-connected", "online"],
    ["a pending command disables it", { pending: true }, "waiting", "online"],
    ["offline wins over pending", { pending: true, availability: "offline" }, "offline", "offline"],
  ];
  for (const [name, change, reason, shown] of cases) {
    it(name, () => {
      const gate = toggleGate({ ...base, ...change });
      assert.deepEqual(gate, { enabled: reason === null, reason, availability: shown });
    });
  }
});

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { applySwitchCommand } from "./switch-command";

describe("applySwitchCommand", () => {
  const cases: [current: "ON" | "OFF", command: string, next: "ON" | "OFF" | null][] = [
    ["OFF", "ON", "ON"],
    ["ON", "OFF", "OFF"],
    ["ON", "ON", "ON"],
    ["OFF", "TOGGLE", "ON"],
    ["ON", "TOGGLE", "OFF"],
    ["OFF", " on\n", "ON"],
    ["OFF", "toggle", "ON"],
    ["OFF", "BLINK", null],
    ["ON", "", null],
  ];
  for (const [current, command, next] of cases) {
    it(`${current} + ${JSON.stringify(command)} → ${next}`, () => assert.equal(applySwitchCommand(current, command), next));
  }
});

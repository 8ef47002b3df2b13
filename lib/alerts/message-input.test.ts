import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createBusMessage } from "../bus-message";
import { toAlertInput } from "./message-input";
import type { AlertInput } from "./state-machine";

describe("toAlertInput", () => {
  const cases: [topic: string, payload: string, expected: AlertInput | null][] = [
    ["home/nursery/temperature", "26.5", { type: "reading", value: 26.5 }],
    ["home/nursery/temperature", '{"value":27,"unit":"°C"}', { type: "reading", value: 27 }],
    ["home/nursery/temperature", "warm-ish", { type: "message" }], // unreadable, but the sensor is alive
    ["home/nursery/temperature", "", null], // a retained value being cleared
    ["home/attic/fan/availability", "offline", { type: "availability", online: false }],
    ["home/attic/fan/availability", " Online\n", { type: "availability", online: true }],
    ["home/attic/fan/availability", "rebooting", { type: "message" }],
    ["home/attic/fan/state", "ON", { type: "message" }],
    ["home/attic/fan/set", "ON", null], // a command says nothing about the device
    ["hearth/alerts/x/y", "{}", null],
    ["$SYS/broker/uptime", "5", null],
  ];
  for (const [topic, payload, expected] of cases) {
    it(`${topic} ${JSON.stringify(payload)}`, () => {
      const message = createBusMessage({ topic, payload: Buffer.from(payload), retain: false, qos: 0, receivedAt: Date.UTC(2026, 0, 1) });
      assert.deepEqual(toAlertInput(message), expected);
    });
  }
});

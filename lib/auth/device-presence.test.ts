import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createDevicePresence } from "./device-presence";

describe("device presence", () => {
  it("is connected while any of its connections is open, and last seen when the last one closed", () => {
    let clock = 1000;
    const presence = createDevicePresence(() => clock);
    assert.equal(presence.read("porch"), null, "never seen since the hub started");
    presence.connected("Porch");
    presence.connected("porch");
    clock = 2000;
    presence.disconnected("porch");
    assert.deepEqual(presence.read("PORCH"), { connected: true, lastSeen: 2000 });
    clock = 3000;
    presence.disconnected("porch");
    clock = 9000;
    assert.deepEqual(presence.read("porch"), { connected: false, lastSeen: 3000 });
    presence.disconnected("porch");
    assert.deepEqual(presence.read("porch"), { connected: false, lastSeen: 9000 }, "an extra close does not go below zero");
  });
});

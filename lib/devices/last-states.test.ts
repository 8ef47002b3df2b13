import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createLastStates, MAX_STATE_BYTES } from "./last-states";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("last device states", () => {
  it("keeps each topic's last text payload, and forgets it on an empty one (a cleared retained state)", () => {
    const states = createLastStates();
    states.heard("zigbee2mqtt/Plug", bytes('{"state":"OFF"}'), 1);
    states.heard("zigbee2mqtt/Plug", bytes('{"state":"ON"}'), 2);
    states.heard("stat/tasmota_F0C1D2/POWER", bytes("ON"), 3);
    assert.deepEqual(states.list(), [
      { topic: "zigbee2mqtt/Plug", payload: '{"state":"ON"}', at: 2 },
      { topic: "stat/tasmota_F0C1D2/POWER", payload: "ON", at: 3 },
    ]);
    states.heard("stat/tasmota_F0C1D2/POWER", new Uint8Array(0), 4);
    assert.deepEqual(states.list().map((s) => s.topic), ["zigbee2mqtt/Plug"]);
  });

  it("keeps nothing a page could not read: over MAX_STATE_BYTES, or not UTF-8 (the older payload is dropped too)", () => {
    const states = createLastStates();
    states.heard("a", bytes("ON"), 1);
    states.heard("a", new Uint8Array(MAX_STATE_BYTES + 1).fill(0x41), 2);
    states.heard("b", bytes("ON"), 1);
    states.heard("b", new Uint8Array([0xff, 0xfe]), 2);
    assert.deepEqual(states.list(), []);
  });

  it("forgets the topics of devices that are gone", () => {
    const states = createLastStates();
    states.heard("a", bytes("ON"), 1);
    states.heard("b", bytes("OFF"), 1);
    states.keepOnly(new Set(["b"]));
    assert.deepEqual(states.list().map((s) => s.topic), ["b"]);
  });

  it("lists oldest first, so a page applying them in turn ends on the latest of topics that report one state (review-15 L3)", () => {
    const states = createLastStates();
    states.heard("tele/tasmota_F0C1D2/STATE", bytes('{"POWER":"ON"}'), 1);
    states.heard("stat/tasmota_F0C1D2/RESULT", bytes('{"POWER":"ON"}'), 2);
    states.heard("tele/tasmota_F0C1D2/STATE", bytes('{"POWER":"OFF"}'), 3);
    assert.deepEqual(states.list().map((s) => [s.topic, s.at]), [["stat/tasmota_F0C1D2/RESULT", 2], ["tele/tasmota_F0C1D2/STATE", 3]]);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  commandReducer,
  initialCommandState,
  nextTarget,
  type CommandEvent,
  type CommandState,
} from "./command";

const T0 = 1_700_000_000_000;
const send = (target: "ON" | "OFF", now = T0): CommandEvent => ({ type: "send", target, now, timeoutMs: 5000 });
const state = (value: "ON" | "OFF" | null): CommandEvent => ({ type: "state", value });
const tick = (now: number): CommandEvent => ({ type: "tick", now });

type Expect = {
  confirmed: "ON" | "OFF" | null;
  pending: "ON" | "OFF" | null;
  notice: string | null;
};

const cases: Array<{ name: string; start?: "ON" | "OFF" | null; events: CommandEvent[]; expect: Expect }> = [
  {
    name: "a click is pending, not the new state",
    start: "OFF",
    events: [send("ON")],
    expect: { confirmed: "OFF", pending: "ON", notice: null },
  },
  {
    name: "the device's state message confirms",
    start: "OFF",
    events: [send("ON"), state("ON")],
    expect: { confirmed: "ON", pending: null, notice: null },
  },
  {
    name: "no answer by the deadline: back to the last confirmed state, with a timeout notice",
    start: "OFF",
    events: [send("ON"), tick(T0 + 5000)],
    expect: { confirmed: "OFF", pending: null, notice: "timeout" },
  },
  {
    name: "a timer firing before the deadline changes nothing",
    start: "OFF",
    events: [send("ON"), tick(T0 + 4999)],
    expect: { confirmed: "OFF", pending: "ON", notice: null },
  },
  {
    name: "a late confirmation is still the truth, and raises no second notice",
    start: "OFF",
    events: [send("ON"), tick(T0 + 6000), state("ON")],
    expect: { confirmed: "ON", pending: null, notice: "timeout" },
  },
  {
    name: "a state change made elsewhere while pending is shown at once, and the wait goes on",
    start: null,
    events: [send("ON"), state("OFF")],
    expect: { confirmed: "OFF", pending: "ON", notice: null },
  },
  {
    name: "a device repeating its old state does not end the wait",
    start: "OFF",
    events: [send("ON"), state("OFF")],
    expect: { confirmed: "OFF", pending: "ON", notice: null },
  },
  {
    name: "changed elsewhere while pending, then no answer: shows the newer confirmed state",
    start: null,
    events: [send("ON"), state("OFF"), tick(T0 + 5000)],
    expect: { confirmed: "OFF", pending: null, notice: "timeout" },
  },
  {
    name: "offline while pending stops the wait at once",
    start: "OFF",
    events: [send("ON"), { type: "offline" }],
    expect: { confirmed: "OFF", pending: null, notice: "offline" },
  },
  {
    name: "offline while idle is no notice (the toggle shows it)",
    start: "OFF",
    events: [{ type: "offline" }],
    expect: { confirmed: "OFF", pending: null, notice: null },
  },
  {
    name: "a failed publish ends the wait with a notice",
    start: "OFF",
    events: [send("ON"), { type: "send-failed", message: "not connected to the hub" }],
    expect: { confirmed: "OFF", pending: null, notice: "send-failed" },
  },
  {
    name: "a second click while pending is ignored",
    start: "OFF",
    events: [send("ON"), send("OFF", T0 + 100)],
    expect: { confirmed: "OFF", pending: "ON", notice: null },
  },
  {
    name: "an optimistic device (no state topic) takes the new state at once",
    start: null,
    events: [{ type: "send", target: "ON", now: T0, timeoutMs: 5000, optimistic: true }],
    expect: { confirmed: "ON", pending: null, notice: null },
  },
  {
    name: "an unreadable state payload keeps the last confirmed state",
    start: "ON",
    events: [state(null)],
    expect: { confirmed: "ON", pending: null, notice: null },
  },
];

describe("command lifecycle", () => {
  for (const c of cases) {
    it(c.name, () => {
      const end = c.events.reduce(commandReducer, initialCommandState(c.start ?? null));
      assert.deepEqual(
        { confirmed: end.confirmed, pending: end.pending?.target ?? null, notice: end.notice?.kind ?? null },
        c.expect,
      );
    });
  }

  it("the deadline is the send time plus the timeout", () => {
    const s = commandReducer(initialCommandState("OFF"), send("ON", T0 + 10));
    assert.deepEqual(s.pending, { target: "ON", sentAt: T0 + 10, deadline: T0 + 5010 });
  });

  it("each notice has a new sequence number, so the UI shows it once", () => {
    let s: CommandState = initialCommandState("OFF");
    s = [send("ON"), tick(T0 + 5000)].reduce(commandReducer, s);
    const first = s.notice!;
    s = [send("ON", T0 + 6000), tick(T0 + 11000)].reduce(commandReducer, s);
    assert.equal(s.notice!.seq, first.seq + 1);
  });

  it("an event that changes nothing returns the same state object", () => {
    const s = commandReducer(initialCommandState("OFF"), send("ON"));
    assert.equal(commandReducer(s, tick(T0 + 1)), s);
    assert.equal(commandReducer(s, state("OFF")), s);
  });

  it("a click asks for the other state, and ON when the state is unknown", () => {
    assert.deepEqual([nextTarget("ON"), nextTarget("OFF"), nextTarget(null)], ["OFF", "ON", "ON"]);
  });
});

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

type Expect = { pending: "ON" | "OFF" | null; notice: string | null };

const cases: Array<{ name: string; events: CommandEvent[]; expect: Expect }> = [
  { name: "a click is pending, not the new state", events: [send("ON")], expect: { pending: "ON", notice: null } },
  { name: "the device's state message confirms", events: [send("ON"), state("ON")], expect: { pending: null, notice: null } },
  {
    name: "no answer by the deadline: back to the last confirmed state, with a timeout notice",
    events: [send("ON"), tick(T0 + 5000)],
    expect: { pending: null, notice: "timeout" },
  },
  { name: "a timer firing before the deadline changes nothing", events: [send("ON"), tick(T0 + 4999)], expect: { pending: "ON", notice: null } },
  {
    name: "a late confirmation raises no second notice",
    events: [send("ON"), tick(T0 + 6000), state("ON")],
    expect: { pending: null, notice: "timeout" },
  },
  {
    name: "a device repeating its old state (or a change made elsewhere) does not end the wait",
    events: [send("ON"), state("OFF")],
    expect: { pending: "ON", notice: null },
  },
  {
    name: "changed elsewhere while pending, then no answer: the wait ends with a timeout",
    events: [send("ON"), state("OFF"), tick(T0 + 5000)],
    expect: { pending: null, notice: "timeout" },
  },
  { name: "offline while pending stops the wait at once", events: [send("ON"), { type: "offline" }], expect: { pending: null, notice: "offline" } },
  { name: "offline while idle is no notice (the toggle shows it)", events: [{ type: "offline" }], expect: { pending: null, notice: null } },
  {
    name: "a failed publish ends the wait with a notice",
    events: [send("ON"), { type: "send-failed", message: "not connected to the hub" }],
    expect: { pending: null, notice: "send-failed" },
  },
  { name: "a second click while pending is ignored", events: [send("ON"), send("OFF", T0 + 100)], expect: { pending: "ON", notice: null } },
  { name: "an unreadable state payload ends no wait", events: [send("ON"), state(null)], expect: { pending: "ON", notice: null } },
];

describe("command lifecycle", () => {
  for (const c of cases) {
    it(c.name, () => {
      const end = c.events.reduce(commandReducer, initialCommandState());
      assert.deepEqual({ pending: end.pending?.target ?? null, notice: end.notice?.kind ?? null }, c.expect);
    });
  }

  it("an optimistic device (no state topic) takes the new state at once, the only record of it", () => {
    const s = commandReducer(initialCommandState(), { type: "send", target: "ON", now: T0, timeoutMs: 5000, optimistic: true });
    assert.deepEqual(s, { sent: "ON", pending: null, notice: null });
  });

  it("the deadline is the send time plus the timeout", () => {
    const s = commandReducer(initialCommandState(), send("ON", T0 + 10));
    assert.deepEqual(s.pending, { target: "ON", sentAt: T0 + 10, deadline: T0 + 5010 });
  });

  it("each notice has a new sequence number, so the UI shows it once", () => {
    let s: CommandState = initialCommandState();
    s = [send("ON"), tick(T0 + 5000)].reduce(commandReducer, s);
    const first = s.notice!;
    s = [send("ON", T0 + 6000), tick(T0 + 11000)].reduce(commandReducer, s);
    assert.equal(s.notice!.seq, first.seq + 1);
  });

  it("an event that changes nothing returns the same state object", () => {
    const s = commandReducer(initialCommandState(), send("ON"));
    assert.equal(commandReducer(s, tick(T0 + 1)), s);
    assert.equal(commandReducer(s, state("OFF")), s);
  });

  it("a click asks for the other state, and ON when the state is unknown", () => {
    assert.deepEqual([nextTarget("ON"), nextTarget("OFF"), nextTarget(null)], ["OFF", "ON", "ON"]);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ruleInputSchema, type Rule } from "./rule";
import {
  initialState,
  needsAttention,
  nextDeadline,
  shouldNotify,
  step,
  type AlertInput,
  type AlertState,
  type AlertStatus,
} from "./state-machine";

const T0 = Date.UTC(2026, 0, 1);
const S = 1000;

function rule(input: Record<string, unknown>): Rule {
  return { id: "r", ...ruleInputSchema.parse({ name: "r", severity: "warning", filter: "home/+/temperature", ...input }) };
}

const hot = rule({ kind: "threshold", direction: "above", threshold: 26, clear: 25 });
const hotFor60 = rule({ kind: "threshold", direction: "above", threshold: 26, clear: 25, forSeconds: 60 });
const cold = rule({ kind: "threshold", direction: "below", threshold: 5, clear: 7 });
const quiet = rule({ kind: "silence", silentForSeconds: 120, filter: "home/#" });

type Timed = [at: number, input: AlertInput];
const reading = (value: number): AlertInput => ({ type: "reading", value });
const tick: AlertInput = { type: "tick" };

/** Feeds the inputs in order; returns each status and the history events. */
function run(r: Rule, inputs: Timed[], from: AlertState = initialState(T0)) {
  let state = from;
  const statuses: AlertStatus[] = [];
  const events: string[] = [];
  for (const [at, input] of inputs) {
    const result = step(state, input, r, T0 + at);
    state = result.state;
    statuses.push(state.status);
    for (const event of result.events) events.push(`${event.kind}@${(event.at - T0) / S}`);
  }
  return { state, statuses, events };
}

describe("step: threshold rules", () => {
  const cases: { name: string; rule: Rule; inputs: Timed[]; statuses: AlertStatus[]; events: string[] }[] = [
    {
      name: "a value past the threshold fires at once without a hold",
      rule: hot,
      inputs: [[0, reading(24)], [S, reading(26.5)]],
      statuses: ["ok", "firing"],
      events: ["fired@1"],
    },
    {
      name: "the threshold itself is not past it",
      rule: hot,
      inputs: [[0, reading(26)]],
      statuses: ["ok"],
      events: [],
    },
    {
      name: "a value oscillating inside the hysteresis band fires once",
      rule: hot,
      inputs: [25.5, 26.2, 25.8, 26.4, 25.1, 26.1, 25.9, 26.3].map((v, i): Timed => [i * S, reading(v)]),
      statuses: ["ok", "firing", "firing", "firing", "firing", "firing", "firing", "firing"],
      events: ["fired@1"],
    },
    {
      name: "it resolves only past the clear threshold, and can fire again after",
      rule: hot,
      inputs: [[0, reading(27)], [S, reading(25)], [2 * S, reading(24.9)], [3 * S, reading(25.9)], [4 * S, reading(26.1)]],
      statuses: ["firing", "firing", "resolved", "resolved", "firing"],
      events: ["fired@0", "resolved@2", "fired@4"],
    },
    {
      name: "a spike shorter than the hold does not fire",
      rule: hotFor60,
      inputs: [[0, reading(27)], [30 * S, reading(27.5)], [59 * S, reading(25.5)], [61 * S, tick], [200 * S, tick]],
      statuses: ["pending", "pending", "ok", "ok", "ok"],
      events: [],
    },
    {
      name: "a condition held for the whole hold fires at the deadline tick",
      rule: hotFor60,
      inputs: [[0, reading(27)], [30 * S, reading(27.5)], [59 * S, tick], [60 * S, tick], [61 * S, reading(26.5)]],
      statuses: ["pending", "pending", "pending", "firing", "firing"],
      events: ["fired@60"],
    },
    {
      name: "a reading after the hold fires without waiting for a tick",
      rule: hotFor60,
      inputs: [[0, reading(27)], [90 * S, reading(28)]],
      statuses: ["pending", "firing"],
      events: ["fired@90"],
    },
    {
      name: "below rules mirror above rules",
      rule: cold,
      inputs: [[0, reading(6)], [S, reading(4.5)], [2 * S, reading(6.5)], [3 * S, reading(7.5)]],
      statuses: ["ok", "firing", "firing", "resolved"],
      events: ["fired@1", "resolved@3"],
    },
    {
      name: "availability and other messages mean nothing to a threshold rule",
      rule: hot,
      inputs: [[0, { type: "availability", online: false }], [S, { type: "message" }], [2 * S, tick]],
      statuses: ["ok", "ok", "ok"],
      events: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { statuses, events } = run(c.rule, c.inputs);
      assert.deepEqual(statuses, c.statuses);
      assert.deepEqual(events, c.events);
    });
  }
});

describe("step: silence rules", () => {
  const cases: { name: string; inputs: Timed[]; statuses: AlertStatus[]; events: string[]; reason?: string }[] = [
    {
      name: "a topic quiet for the silence time fires, and its next message resolves it",
      inputs: [[0, reading(20)], [119 * S, tick], [120 * S, tick], [130 * S, tick], [200 * S, { type: "message" }]],
      statuses: ["ok", "ok", "firing", "firing", "resolved"],
      events: ["fired@120", "resolved@200"],
      reason: "silent",
    },
    {
      name: "messages keep it quiet",
      inputs: [[0, reading(20)], [100 * S, reading(21)], [200 * S, tick], [219 * S, tick]],
      statuses: ["ok", "ok", "ok", "ok"],
      events: [],
    },
    {
      name: "offline fires at once and online resolves it",
      inputs: [[0, { type: "availability", online: false }], [S, { type: "availability", online: false }], [500 * S, tick], [600 * S, { type: "availability", online: true }]],
      statuses: ["firing", "firing", "firing", "resolved"],
      events: ["fired@0", "resolved@600"],
      reason: "offline",
    },
    {
      name: "an availability topic is never silent: it speaks only on change",
      inputs: [[0, { type: "availability", online: true }], [10_000 * S, tick]],
      statuses: ["ok", "ok"],
      events: [],
    },
    {
      name: "a topic never heard from is not silent",
      inputs: [[10_000 * S, tick]],
      statuses: ["ok"],
      events: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { state, statuses, events } = run(quiet, c.inputs);
      assert.deepEqual(statuses, c.statuses);
      assert.deepEqual(events, c.events);
      if (c.reason) assert.equal(state.reason, c.reason);
    });
  }
});

describe("step: acknowledge and snooze", () => {
  const ack: AlertInput = { type: "ack" };
  const snooze = (untilS: number): AlertInput => ({ type: "snooze", until: T0 + untilS * S });
  const cases: { name: string; inputs: Timed[]; events: string[]; attention: boolean; acked: boolean; snoozed: boolean }[] = [
    {
      name: "ack keeps the alert firing but stops it asking for attention",
      inputs: [[0, reading(27)], [S, ack], [2 * S, ack], [3 * S, reading(27.2)]],
      events: ["fired@0", "acknowledged@1"],
      attention: false,
      acked: true,
      snoozed: false,
    },
    {
      name: "ack of an alert that is not firing does nothing",
      inputs: [[0, reading(20)], [S, ack]],
      events: [],
      attention: false,
      acked: false,
      snoozed: false,
    },
    {
      name: "a resolve clears the ack: the next firing asks again",
      inputs: [[0, reading(27)], [S, ack], [2 * S, reading(24)], [3 * S, reading(27)]],
      events: ["fired@0", "acknowledged@1", "resolved@2", "fired@3"],
      attention: true,
      acked: false,
      snoozed: false,
    },
    {
      name: "snooze hides a firing alert until it runs out",
      inputs: [[0, reading(27)], [S, snooze(60)], [30 * S, tick]],
      events: ["fired@0", "snoozed@1"],
      attention: false,
      acked: false,
      snoozed: true,
    },
    {
      name: "when the snooze runs out a still-firing alert asks again",
      inputs: [[0, reading(27)], [S, snooze(60)], [60 * S, tick]],
      events: ["fired@0", "snoozed@1", "snooze-ended@60"],
      attention: true,
      acked: false,
      snoozed: false,
    },
    {
      name: "a snooze outlives a resolve: a re-fire inside it stays quiet",
      inputs: [[0, reading(27)], [S, snooze(600)], [2 * S, reading(24)], [3 * S, reading(27)]],
      events: ["fired@0", "snoozed@1", "resolved@2", "fired@3"],
      attention: false,
      acked: false,
      snoozed: true,
    },
    {
      name: "a snooze into the past does nothing",
      inputs: [[10 * S, reading(27)], [20 * S, snooze(5)]],
      events: ["fired@10"],
      attention: true,
      acked: false,
      snoozed: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { state, events } = run(hot, c.inputs);
      assert.deepEqual(events, c.events);
      assert.equal(needsAttention(state), c.attention);
      assert.equal(state.acknowledgedAt !== null, c.acked);
      assert.equal(state.snoozedUntil !== null, c.snoozed);
    });
  }
});

describe("nextDeadline", () => {
  it("is the end of the hold while pending, and nothing otherwise", () => {
    const pending = run(hotFor60, [[0, reading(27)]]).state;
    assert.equal(nextDeadline(pending, hotFor60), T0 + 60 * S);
    assert.equal(nextDeadline(run(hot, [[0, reading(27)]]).state, hot), null);
  });
  it("is when a silent topic would fire, and the end of a snooze", () => {
    assert.equal(nextDeadline(run(quiet, [[5 * S, reading(1)]]).state, quiet), T0 + 125 * S);
    const snoozed = run(hot, [[0, reading(27)], [S, { type: "snooze", until: T0 + 30 * S }]]).state;
    assert.equal(nextDeadline(snoozed, hot), T0 + 30 * S);
  });
});

describe("shouldNotify", () => {
  const firing = run(hot, [[0, reading(27)]]).state;
  const cases: [name: string, last: number | null, at: number, state: AlertState, expected: boolean][] = [
    ["the rule's first firing", null, 0, firing, true],
    ["inside the rule's interval (300 s)", T0, 299 * S, firing, false],
    ["once the interval has passed", T0, 300 * S, firing, true],
    ["while snoozed", null, 0, { ...firing, snoozedUntil: T0 + 60 * S }, false],
  ];
  for (const [name, last, at, state, expected] of cases) {
    it(`${expected ? "notifies" : "stays quiet"}: ${name}`, () => {
      assert.equal(shouldNotify(state, hot, last, T0 + at), expected);
    });
  }
});

// Which upstream messages are retained copies sent again because Hearth subscribed
// (replayed-reading.ts createReplayWindow; review-7 F7): a table of message sequences.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createReplayWindow, REPLAY_WINDOW_MS } from "./replayed-reading";

type Step = "subscribe" | "suback" | { topic: string; retain: boolean; at?: number };

/** The messages of `steps` taken for copies, as "topic@index". */
function copies(protocolVersion: 4 | 5, steps: Step[]): string[] {
  const window = createReplayWindow(protocolVersion);
  const taken: string[] = [];
  steps.forEach((step, i) => {
    if (step === "subscribe") window.subscribing();
    else if (step === "suback") window.subscribed(0);
    else if (window.replayed(step, step.at ?? 0)) taken.push(`${step.topic}@${i}`);
  });
  return taken;
}

const flagged = (topic: string, at?: number) => ({ topic, retain: true, at });
const live = (topic: string) => ({ topic, retain: false });

test("MQTT 3.1.1: the flag says it [MQTT-3.3.1-8], [MQTT-3.3.1-9]: each topic's first flagged message is its copy, however late", () => {
  assert.deepEqual(copies(4, ["subscribe", "suback", flagged("a"), live("b"), flagged("c", REPLAY_WINDOW_MS * 2), flagged("a")]), ["a@2", "c@4"]);
});

test("MQTT 5: copies may come before the SUBACK and until the first unflagged message after it", () => {
  assert.deepEqual(copies(5, ["subscribe", flagged("a"), live("x"), "suback", flagged("b"), flagged("b"), flagged("c")]), ["a@1", "b@4", "c@6"]);
});

test("MQTT 5 (Retain As Published): a flagged message after the first unflagged one past the SUBACK is live, a topic's first retained reading among them (review-7 F7)", () => {
  assert.deepEqual(copies(5, ["subscribe", "suback", flagged("a"), live("x"), flagged("lamp"), flagged("a")]), ["a@2"]);
});

test(`MQTT 5: in a home where everything is retained, the window still closes ${REPLAY_WINDOW_MS / 1000} s after the SUBACK`, () => {
  assert.deepEqual(copies(5, ["subscribe", "suback", flagged("a", 5), flagged("lamp", REPLAY_WINDOW_MS), flagged("b", REPLAY_WINDOW_MS + 1)]), ["a@2"]);
});

test("MQTT 5: before any SUBSCRIBE (a resumed session's queued messages) nothing is a copy; a new SUBSCRIBE opens the window again", () => {
  assert.deepEqual(copies(5, [flagged("a"), "subscribe", "suback", live("x"), flagged("a"), "subscribe", flagged("a")]), ["a@6"]);
});

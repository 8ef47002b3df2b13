import assert from "node:assert/strict";
import { test } from "node:test";
import { parseLastValues, serializeLastValues } from "./last-values";

const reading = { topic: "home/attic/temperature", room: "attic", measurement: "temperature", value: 21.5, unit: "°C", ts: 1000 };

test("last values survive a round trip", () => {
  assert.deepEqual(parseLastValues(serializeLastValues([reading], 5000)), { v: 1, lastLiveAt: 5000, readings: [reading] });
});

test("a missing, corrupted or foreign entry is ignored", () => {
  const cases = [null, "", "{", "[]", '{"v":2,"lastLiveAt":1,"readings":[]}', '{"v":1,"lastLiveAt":1,"readings":[{"topic":"x"}]}'];
  for (const text of cases) assert.equal(parseLastValues(text), null, String(text));
});

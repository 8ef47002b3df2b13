import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ruleErrors, ruleIdFromName, ruleInputSchema, ruleSummary, type RuleSummary } from "./rule";
import { alertTopic, decodeTopicKey, encodeTopicKey, parseAlertTopic } from "./topic-key";

const base = { name: "Nursery too hot", severity: "critical", kind: "threshold", filter: "home/nursery/temperature" };

describe("ruleErrors", () => {
  // Each field's problem: its code and parameters (what the dashboard words in its language)
  // and the English message (what the API answers with).
  type Expected = Record<string, [problem: Record<string, unknown>, message: RegExp]>;
  const cases: [name: string, input: Record<string, unknown>, errors: Expected][] = [
    ["a good above rule", { ...base, direction: "above", threshold: 26, clear: 25 }, {}],
    ["a good below rule", { ...base, direction: "below", threshold: 5, clear: 7 }, {}],
    ["clear above an above threshold", { ...base, direction: "above", threshold: 26, clear: 27 }, {
      clear: [{ code: "clear-wrong-side", direction: "above", threshold: 26 }, /below the threshold \(26\).*flap/],
    }],
    ["clear equal to the threshold", { ...base, direction: "above", threshold: 26, clear: 26 }, {
      clear: [{ code: "clear-wrong-side", direction: "above", threshold: 26 }, /below the threshold/],
    }],
    ["clear below a below threshold", { ...base, direction: "below", threshold: 5, clear: 4 }, {
      clear: [{ code: "clear-wrong-side", direction: "below", threshold: 5 }, /above the threshold \(5\) for a "below" rule/],
    }],
    ["a bad filter", { ...base, filter: "home/#/x", direction: "above", threshold: 1, clear: 0 }, {
      filter: [{ code: "topic", topic: { code: "hash-not-last", reason: "# must be the whole last level of a filter" } }, /# must be/],
    }],
    ["a filter too deep", { ...base, filter: Array(40).fill("a").join("/"), direction: "above", threshold: 1, clear: 0 }, {
      filter: [{ code: "topic", topic: { code: "too-deep", limit: 32, reason: "topic has more than 32 levels" } }, /32 levels/],
    }],
    ["a missing filter", { ...base, filter: undefined, direction: "above", threshold: 1, clear: 0 }, { filter: [{ code: "required" }, /required/] }],
    ["a missing name", { ...base, name: " ", direction: "above", threshold: 1, clear: 0 }, { name: [{ code: "required" }, /required/] }],
    ["a long name", { ...base, name: "x".repeat(81), direction: "above", threshold: 1, clear: 0 }, { name: [{ code: "too-long", max: 80 }, /at most 80 characters/] }],
    ["a threshold that is not a number", { ...base, direction: "above", threshold: Number.NaN, clear: 0 }, { threshold: [{ code: "not-a-number" }, /number/] }],
    ["a missing clear threshold", { ...base, direction: "above", threshold: 1 }, { clear: [{ code: "not-a-number" }, /must be a number/] }],
    ["a fractional hold", { ...base, direction: "above", threshold: 1, clear: 0, forSeconds: 1.5 }, { forSeconds: [{ code: "whole-seconds" }, /whole seconds/] }],
    ["a hold over a day", { ...base, direction: "above", threshold: 1, clear: 0, forSeconds: 86401 }, { forSeconds: [{ code: "max-seconds", max: 86400 }, /at most 86400 s/] }],
    ["a silence rule", { ...base, kind: "silence", silentForSeconds: 600 }, {}],
    ["a silence time too short", { ...base, kind: "silence", silentForSeconds: 1 }, { silentForSeconds: [{ code: "min-seconds", min: 10 }, /at least 10 s/] }],
    ["an unknown severity", { ...base, severity: "meh", direction: "above", threshold: 1, clear: 0 }, {
      severity: [{ code: "not-one-of", options: ["info", "warning", "critical"] }, /info, warning or critical/],
    }],
    ["clear on the wrong side while another field is still missing", { ...base, name: "", direction: "above", threshold: 26, clear: 27 }, {
      name: [{ code: "required" }, /required/],
      clear: [{ code: "clear-wrong-side", direction: "above", threshold: 26 }, /below the threshold/],
    }],
    ["an unknown field", { ...base, direction: "above", threshold: 1, clear: 0, colour: "red" }, { form: [{ code: "unknown-fields", fields: ["colour"] }, /colour/] }],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      const errors = ruleErrors(input);
      assert.deepEqual(Object.keys(errors).sort(), Object.keys(expected).sort(), JSON.stringify(errors));
      for (const [field, [problem, message]] of Object.entries(expected)) {
        const { message: actual, ...rest } = errors[field];
        assert.deepEqual(rest, problem, field);
        assert.match(actual, message, field);
      }
    });
  }

  it("fills in defaults", () => {
    const rule = ruleInputSchema.parse({ ...base, direction: "above", threshold: 26, clear: 25 });
    assert.equal(rule.enabled, true);
    assert.equal(rule.kind === "threshold" && rule.forSeconds, 0);
    assert.equal(rule.notifyIntervalSeconds, 300);
  });
});

describe("ruleSummary", () => {
  const cases: [name: string, input: Record<string, unknown>, summary: RuleSummary][] = [
    ["above", { ...base, direction: "above", threshold: 26, clear: 25 }, { code: "above", threshold: 26, clear: 25, holdSeconds: 0 }],
    ["below with a hold", { ...base, direction: "below", threshold: 5, clear: 7, forSeconds: 60 }, { code: "below", threshold: 5, clear: 7, holdSeconds: 60 }],
    ["silence", { ...base, kind: "silence", silentForSeconds: 600 }, { code: "silence", seconds: 600 }],
  ];
  for (const [name, input, summary] of cases) {
    it(name, () => assert.deepEqual(ruleSummary(ruleInputSchema.parse(input)), summary));
  }
});

describe("ruleIdFromName", () => {
  it("slugs the name and avoids ids in use", () => {
    assert.equal(ruleIdFromName("Nursery too hot!", () => false), "nursery-too-hot");
    const taken = new Set(["nursery-too-hot", "nursery-too-hot-2"]);
    assert.equal(ruleIdFromName("Nursery too hot", (id) => taken.has(id)), "nursery-too-hot-3");
    assert.equal(ruleIdFromName("ß°", () => false), "rule");
  });
});

describe("topic keys", () => {
  const topics = ["home/attic/temperature", "home/a%2Fb/x", "home/100%/x", "a+b#c", "/", "home//x"];
  for (const topic of topics) {
    it(`round-trips ${topic} through one topic level`, () => {
      const key = encodeTopicKey(topic);
      assert.doesNotMatch(key, /[/+#]/);
      assert.equal(decodeTopicKey(key), topic);
      assert.deepEqual(parseAlertTopic(alertTopic("nursery-hot", topic)), { ruleId: "nursery-hot", topic });
    });
  }
  it("refuses keys it could not have made, and other topics", () => {
    for (const key of ["a%2fb", "a%zz", "a%", "a%41"]) assert.equal(decodeTopicKey(key), null, key);
    for (const topic of ["hearth/alerts/x", "hearth/alerts/x/y/z", "home/attic/temperature", "hearth/alerts//k"]) {
      assert.equal(parseAlertTopic(topic), null, topic);
    }
  });
  it("is readable", () => {
    assert.equal(alertTopic("hot", "home/nursery/temperature"), "hearth/alerts/hot/home%2Fnursery%2Ftemperature");
  });
});

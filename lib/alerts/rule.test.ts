import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { describeRule, ruleErrors, ruleIdFromName, ruleInputSchema } from "./rule";
import { alertTopic, decodeTopicKey, encodeTopicKey, parseAlertTopic } from "./topic-key";

const base = { name: "Nursery too hot", severity: "critical", kind: "threshold", filter: "home/nursery/temperature" };

describe("ruleErrors", () => {
  const cases: [name: string, input: Record<string, unknown>, errors: Record<string, RegExp>][] = [
    ["a good above rule", { ...base, direction: "above", threshold: 26, clear: 25 }, {}],
    ["a good below rule", { ...base, direction: "below", threshold: 5, clear: 7 }, {}],
    ["clear above an above threshold", { ...base, direction: "above", threshold: 26, clear: 27 }, { clear: /below the threshold \(26\).*flap/ }],
    ["clear equal to the threshold", { ...base, direction: "above", threshold: 26, clear: 26 }, { clear: /below the threshold/ }],
    ["clear below a below threshold", { ...base, direction: "below", threshold: 5, clear: 4 }, { clear: /above the threshold \(5\)/ }],
    ["a bad filter", { ...base, filter: "home/#/x", direction: "above", threshold: 1, clear: 0 }, { filter: /# must be/ }],
    ["a missing name", { ...base, name: " ", direction: "above", threshold: 1, clear: 0 }, { name: /required/ }],
    ["a threshold that is not a number", { ...base, direction: "above", threshold: Number.NaN, clear: 0 }, { threshold: /number/ }],
    ["a fractional hold", { ...base, direction: "above", threshold: 1, clear: 0, forSeconds: 1.5 }, { forSeconds: /whole seconds/ }],
    ["a silence rule", { ...base, kind: "silence", silentForSeconds: 600 }, {}],
    ["a silence time too short", { ...base, kind: "silence", silentForSeconds: 1 }, { silentForSeconds: /at least 10/ }],
    ["an unknown severity", { ...base, severity: "meh", direction: "above", threshold: 1, clear: 0 }, { severity: /info, warning or critical/ }],
    ["clear on the wrong side while another field is still missing", { ...base, name: "", direction: "above", threshold: 26, clear: 27 }, { name: /required/, clear: /below the threshold/ }],
    ["an unknown field", { ...base, direction: "above", threshold: 1, clear: 0, colour: "red" }, { form: /colour/ }],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      const errors = ruleErrors(input);
      assert.deepEqual(Object.keys(errors).sort(), Object.keys(expected).sort(), JSON.stringify(errors));
      for (const [field, pattern] of Object.entries(expected)) assert.match(errors[field], pattern);
    });
  }

  it("fills in defaults", () => {
    const rule = ruleInputSchema.parse({ ...base, direction: "above", threshold: 26, clear: 25 });
    assert.equal(rule.enabled, true);
    assert.equal(rule.kind === "threshold" && rule.forSeconds, 0);
    assert.equal(rule.notifyIntervalSeconds, 300);
    assert.equal(describeRule(rule), "above 26 (clears below 25)");
  });
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

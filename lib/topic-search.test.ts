import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { inferUnit } from "./readings";
import { payloadView, ruleTopicSuggestions, searchTopics, unitForFilter } from "./topic-search";

const stats = [
  { topic: "home/attic/temperature", preview: "21.5" },
  { topic: "home/hall/temperature", preview: "19" },
  { topic: "home/hall/lamp/state", preview: "ON" },
  { topic: "zigbee2mqtt/bridge/event", preview: '{"type":"device_joined"}' },
];
const topics = (query: string) => searchTopics(stats, query).map((s) => s.topic);

describe("explorer search", () => {
  it("keeps everything for an empty query", () => assert.equal(topics("  ").length, 4));
  it("matches part of a topic, in any case", () => assert.deepEqual(topics("HALL"), ["home/hall/temperature", "home/hall/lamp/state"]));
  it("matches a value", () => assert.deepEqual(topics("device_joined"), ["zigbee2mqtt/bridge/event"]));
  it("matches an MQTT filter as the broker would", () => {
    assert.deepEqual(topics("home/+/temperature"), ["home/attic/temperature", "home/hall/temperature"]);
    assert.deepEqual(topics("home/hall/#"), ["home/hall/temperature", "home/hall/lamp/state"]);
  });
  it("takes an invalid filter as plain text", () => assert.deepEqual(topics("a+b"), []));
});

describe("payload view", () => {
  it("pretty-prints JSON", () => {
    assert.deepEqual(payloadView('{"state":"ON","update":{"x":1}}'), { kind: "json", text: '{\n  "state": "ON",\n  "update": {\n    "x": 1\n  }\n}' });
    assert.deepEqual(payloadView("[1,2]"), { kind: "json", text: "[\n  1,\n  2\n]" });
  });
  it("shows anything else as it came", () => {
    assert.deepEqual(payloadView("21.5"), { kind: "text", text: "21.5" });
    assert.deepEqual(payloadView('{"cut": "shor'), { kind: "text", text: '{"cut": "shor' });
    assert.deepEqual(payloadView(""), { kind: "empty" });
  });
});

describe("alert rule form helpers", () => {
  it("suggests every room's filter per measurement, then the topics", () => {
    assert.deepEqual(ruleTopicSuggestions(["home/hall/temperature", "home/attic/temperature", "home/attic/co2", "garage/power"]), [
      "home/+/co2",
      "home/+/temperature",
      "garage/power",
      "home/attic/co2",
      "home/attic/temperature",
      "home/hall/temperature",
    ]);
  });

  it("finds the threshold's unit from a matching topic, else from the measurement's name", () => {
    const units = new Map([["home/attic/temperature", "°F"], ["garage/power", "W"]]);
    assert.equal(unitForFilter("home/+/temperature", units, inferUnit), "°F");
    assert.equal(unitForFilter("home/cellar/humidity", units, inferUnit), "%");
    assert.equal(unitForFilter("home/#", units, inferUnit), "°F");
    assert.equal(unitForFilter("home/cellar/+", new Map(), inferUnit), "");
    assert.equal(unitForFilter("home/#/x", units, inferUnit), "");
  });
});

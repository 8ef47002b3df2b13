import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { payloadView, searchTopics } from "./topic-search";

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

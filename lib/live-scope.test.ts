import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { collapseTopics, explorerScope, isRoomLevel, NO_READINGS, roomScope, scopeFilters, widens } from "./live-scope";
import { topicMatches } from "./topics";

describe("live scope: what a page subscribes to (issue 13)", () => {
  const cases: [string, string[][], string[]][] = [
    ["no page declares a scope: the whole home, as before", [], ["home/#"]],
    ["a room page: its room only", [roomScope("kitchen")], ["home/kitchen/#"]],
    ["two scopes: both, sorted", [["home/kitchen/#"], ["home/attic/temperature"]], ["home/attic/temperature", "home/kitchen/#"]],
    ["one scope is the whole home: the whole home", [["home/kitchen/#"], ["home/#"]], ["home/#"]],
    ["a topic inside a room's scope adds nothing", [["home/kitchen/#"], ["home/kitchen/temperature"]], ["home/kitchen/#"]],
    ["every room's temperature covers one room's", [["home/+/temperature"], ["home/attic/temperature"]], ["home/+/temperature"]],
    ["one room's scope does not cover every room's temperature", [["home/attic/#"], ["home/+/temperature"]], ["home/+/temperature", "home/attic/#"]],
    ["a level does not cover everything below it", [["home/attic/+"], ["home/attic/#"]], ["home/attic/#"]],
    ["a page of no readings (settings): no home filter at all", [[...NO_READINGS]], []],
    ["a page of no readings with an open rule form (the whole home): the whole home", [[...NO_READINGS], ["home/#"]], ["home/#"]],
    ["the explorer: devices' state and availability", [explorerScope(null)], ["home/+/+/availability", "home/+/+/state"]],
    ["the explorer with a reading open: its chart's topic too", [explorerScope("home/attic/temperature")], ["home/+/+/availability", "home/+/+/state", "home/attic/temperature"]],
    ["the explorer with a device's state open: already covered", [explorerScope("home/attic/fan/state")], ["home/+/+/availability", "home/+/+/state"]],
    ["equal scopes of two components: once", [["home/attic/#"], ["home/attic/#"]], ["home/attic/#"]],
  ];
  for (const [name, scopes, expected] of cases) {
    it(name, () => assert.deepEqual(scopeFilters(scopes), expected));
  }

  it("widens: back to the whole home from a room, not from the whole home to a room", () => {
    assert.equal(widens(["home/kitchen/#"], ["home/#"]), true);
    assert.equal(widens(["home/#"], ["home/kitchen/#"]), false);
    assert.equal(widens(["home/kitchen/#"], ["home/attic/#"]), true);
    assert.equal(widens(["home/+/temperature"], ["home/attic/temperature"]), false);
    // A device topic beyond the home's (zigbee2mqtt/…) is no room's readings.
    assert.equal(widens(["home/kitchen/#"], ["zigbee2mqtt/plug"]), false);
  });

  it("a room is one topic level without wildcards: /rooms/%23 and /rooms/%2B are no rooms (review-7 F6)", () => {
    for (const room of ["kitchen", "living room", "küche", "$attic"]) assert.equal(isRoomLevel(room), true, room);
    for (const room of ["", "#", "+", "a+", "a#", "a/b", "/", "\u0000"]) assert.equal(isRoomLevel(room), false, JSON.stringify(room));
  });
});

describe("collapseTopics: a page's device topics as few filters (review 10, F7)", () => {
  it("topics differing in one level become one + filter when there are enough of them; others stay exact", () => {
    const esphome = ["hall/status", ...["a", "b", "c", "d", "e"].map((s) => `hall/sensor/${s}/state`), "attic/fan/state", "attic/fan/availability"];
    assert.deepEqual(collapseTopics(esphome), ["attic/fan/availability", "attic/fan/state", "hall/sensor/+/state", "hall/status"]);
  });

  it("every topic is still matched by a filter, and a $ topic keeps its first level [MQTT-4.7.2-1]", () => {
    const topics = ["$aws/things/a/shadow", "$aws/things/b/shadow", "$aws/things/c/shadow", "$aws/things/d/shadow", "x/1", "y/1", "z/1", "w/1"];
    const filters = collapseTopics(topics);
    assert.deepEqual(filters, ["$aws/things/+/shadow", "+/1"]);
    for (const t of topics) assert.ok(filters.some((f) => topicMatches(f, t)), t);
  });
});

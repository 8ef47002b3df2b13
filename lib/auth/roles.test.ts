import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ALL_TOPICS, mayPublish, maySubscribe, roleAtLeast, type Principal } from "./roles";

const viewer: Principal = { kind: "user", username: "v", role: "viewer", sessionId: "s1" };
const operator: Principal = { kind: "user", username: "o", role: "operator", sessionId: "s2" };
const admin: Principal = { kind: "user", username: "a", role: "admin", sessionId: "s3" };
const device: Principal = { kind: "device", name: "kitchen-sensor", topics: ["home/kitchen/#"] };
const anonymous: Principal = { kind: "anonymous", topics: ALL_TOPICS };

describe("who may publish where", () => {
  const table: [topic: string, viewer: boolean, operator: boolean, admin: boolean, device: boolean, anonymous: boolean][] = [
    ["home/kitchen/lamp/set", false, true, true, true, true],
    ["home/attic/heater/set", false, true, true, false, true],
    ["home/kitchen/temperature", false, false, false, true, true],
    ["home/attic/temperature", false, false, false, false, true],
    ["home/kitchen/lamp/state", false, false, false, true, true],
    // Only the alert engine writes alert states: no page may forge one (issue 15).
    ["hearth/alerts/frost", false, false, false, false, true],
    ["home/set", false, false, false, false, true],
    ["home/a/b/c/set", false, false, false, false, true],
  ];
  for (const [topic, ...expected] of table) {
    it(topic, () => {
      assert.deepEqual(
        [viewer, operator, admin, device, anonymous].map((p) => mayPublish(p, topic)),
        expected,
      );
    });
  }
});

describe("commands to switches the hub knows, wherever their topics live", () => {
  const known = new Set(["zigbee2mqtt/hallway_plug/set", "porch/relay/1"]);
  const isDeviceCommand = (topic: string) => known.has(topic);
  const table: [topic: string, viewer: boolean, operator: boolean, admin: boolean, device: boolean][] = [
    ["zigbee2mqtt/hallway_plug/set", false, true, true, false],
    ["porch/relay/1", false, true, true, false],
    ["zigbee2mqtt/other_plug/set", false, false, false, false],
  ];
  for (const [topic, ...expected] of table) {
    it(topic, () => {
      assert.deepEqual(
        [viewer, operator, admin, device].map((p) => mayPublish(p, topic, isDeviceCommand)),
        expected,
      );
    });
  }
});

describe("who may subscribe to what", () => {
  const table: [filter: string, users: boolean, device: boolean][] = [
    ["home/#", true, false],
    ["#", true, false],
    ["home/kitchen/#", true, true],
    ["home/kitchen/lamp/set", true, true],
    ["home/kitchen/+/set", true, true],
    ["home/+/lamp/set", true, false],
    ["home/attic/temperature", true, false],
    ["$SYS/#", true, false],
  ];
  for (const [filter, users, dev] of table) {
    it(filter, () => {
      for (const p of [viewer, operator, admin, anonymous]) assert.equal(maySubscribe(p, filter), users);
      assert.equal(maySubscribe(device, filter), dev);
    });
  }
});

describe("the anonymous ACL (auth.anonymousTopics, like Mosquitto's anonymous acl_file)", () => {
  const restricted: Principal = { kind: "anonymous", topics: { publish: ["home/+/+/state", "sensors/#"], subscribe: ["home/+/+/set"] } };
  const internal: Principal = { kind: "internal" };
  const publish: [topic: string, restricted: boolean][] = [
    ["home/kitchen/lamp/state", true],
    ["sensors/garage/door", true],
    ["home/kitchen/temperature", false],
    ["hearth/alerts/frost", false],
  ];
  for (const [topic, allowed] of publish) {
    it(`publish ${topic}`, () => {
      assert.equal(mayPublish(restricted, topic), allowed);
      assert.equal(mayPublish(internal, topic), true, "the hub's own clients are not held to it");
    });
  }
  const subscribe: [filter: string, restricted: boolean][] = [
    ["home/kitchen/lamp/set", true],
    ["home/+/+/set", true],
    ["home/#", false],
    ["#", false],
    ["$SYS/#", false],
  ];
  for (const [filter, allowed] of subscribe) {
    it(`subscribe ${filter}`, () => {
      assert.equal(maySubscribe(restricted, filter), allowed);
      assert.equal(maySubscribe(internal, filter), true);
    });
  }
});

describe("roleAtLeast", () => {
  it("orders viewer < operator < admin", () => {
    assert.equal(roleAtLeast("viewer", "operator"), false);
    assert.equal(roleAtLeast("operator", "operator"), true);
    assert.equal(roleAtLeast("admin", "operator"), true);
    assert.equal(roleAtLeast("operator", "admin"), false);
  });
});

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkTopicFilter, checkTopicName, compileTopicFilter, filterWithin, isGatewayCode, isGatewayStatus, labelFromLevel, parseHomeTopic, topicLevels, topicMatches } from "./topics";

describe("topicMatches", () => {
  const cases: [filter: string, topic: string, expected: boolean][] = [
    ["home/attic/temperature", "home/attic/temperature", true],
    ["home/attic/temperature", "home/attic/humidity", false],
    ["home/+/temperature", "home/attic/temperature", true],
    ["home/+/temperature", "home/attic/lamp/temperature", false],
    ["home/+/temperature", "home//temperature", true], // + matches an empty level
    ["home/#", "home", true], // # includes the parent level (§4.7.1.2)
    ["home/#", "home/attic/temperature", true],
    ["home/#", "house/attic", false],
    ["#", "home/attic/temperature", true],
    ["#", "$SYS/broker/uptime", false], // §4.7.2: wildcards at the start never match $ topics
    ["+/broker/uptime", "$SYS/broker/uptime", false],
    ["$SYS/#", "$SYS/broker/uptime", true],
    ["$SYS/+/uptime", "$SYS/broker/uptime", true],
    ["home/+", "home/attic/temperature", false],
    ["home/attic/temperature/#", "home/attic/temperature", true],
    ["home/+/+/state", "home/kitchen/lamp/state", true],
    ["Home/attic", "home/attic", false], // topics are case-sensitive
    ["home/attic/", "home/attic", false],
    ["home/attic/", "home/attic/", true],
  ];
  for (const [filter, topic, expected] of cases) {
    it(`${filter} ${expected ? "matches" : "does not match"} ${topic}`, () => {
      assert.equal(topicMatches(filter, topic), expected);
      assert.equal(compileTopicFilter(filter)(topic, topicLevels(topic)), expected, "compiled");
    });
  }
});

describe("checkTopicFilter", () => {
  const valid = ["home/#", "#", "+", "home/+/temperature", "+/+/#", "$SYS/#", "home/attic", "/", "home//x"];
  // The code and limit are what the dashboard words in its language; the reason is the English for logs.
  const invalid: [string, Record<string, unknown>, RegExp][] = [
    ["", { code: "empty" }, /empty/],
    ["home/#/x", { code: "hash-not-last" }, /# must be/],
    ["home#", { code: "hash-not-last" }, /# must be/],
    ["home/tempe#", { code: "hash-not-last" }, /# must be/],
    ["home/a+/x", { code: "plus-not-whole" }, /\+ must fill/],
    ["home/+a", { code: "plus-not-whole" }, /\+ must fill/],
    ["home/\u0000", { code: "nul" }, /NUL/],
    [Array(40).fill("a").join("/"), { code: "too-deep", limit: 32 }, /more than 32 levels/],
    ["x".repeat(70_000), { code: "too-long", limit: 65535 }, /longer than 65535 bytes/],
  ];
  for (const filter of valid) {
    it(`accepts ${JSON.stringify(filter)}`, () => assert.deepEqual(checkTopicFilter(filter), { ok: true }));
  }
  for (const [filter, problem, reason] of invalid) {
    it(`refuses ${JSON.stringify(filter.slice(0, 20))}`, () => {
      const result = checkTopicFilter(filter);
      assert.deepEqual(result.ok ? result : { ...result, reason: undefined }, { ok: false, ...problem, reason: undefined });
      assert.match(!result.ok ? result.reason : "", reason);
    });
  }
  it("counts UTF-8 bytes, not characters, against the 65535 limit", () => {
    assert.equal(checkTopicFilter("é".repeat(30_000)).ok, true); // 60,000 bytes
    assert.equal(checkTopicFilter("é".repeat(33_000)).ok, false); // 66,000 bytes
  });
});

describe("checkTopicName", () => {
  it("refuses wildcards in a published topic", () => {
    for (const topic of ["home/+/temperature", "home/#"]) {
      const result = checkTopicName(topic);
      assert.equal(!result.ok && result.code, "wildcard-in-name", topic);
    }
  });
  it("accepts a plain topic", () => assert.deepEqual(checkTopicName("home/attic/temperature"), { ok: true }));
  it("refuses an empty topic", () => assert.equal(checkTopicName("").ok, false));
});

describe("parseHomeTopic", () => {
  const cases: [string, ReturnType<typeof parseHomeTopic>][] = [
    ["home/attic/temperature", { kind: "measurement", room: "attic", measurement: "temperature" }],
    ["home/living_room/co2", { kind: "measurement", room: "living_room", measurement: "co2" }],
    ["home/kitchen/lamp/state", { kind: "state", room: "kitchen", device: "lamp" }],
    ["home/kitchen/lamp/set", { kind: "set", room: "kitchen", device: "lamp" }],
    ["home/kitchen/lamp/availability", { kind: "availability", room: "kitchen", device: "lamp" }],
    ["home/kitchen/lamp/brightness", null],
    ["home/attic", null],
    ["home//temperature", null],
    ["home/attic/temperature/extra/more", null],
    ["homeassistant/sensor/x/config", null],
    ["$SYS/broker/uptime", null],
    ["home/at tic/temperature", null],
  ];
  for (const [topic, expected] of cases) {
    it(`reads ${topic}`, () => assert.deepEqual(parseHomeTopic(topic), expected));
  }
});

describe("isGatewayStatus (OpenMQTTGateway's own topics under home/)", () => {
  for (const [measurement, expected] of [
    ["LWT", true],
    ["version", true],
    ["SYStoMQTT", true],
    ["RLStoMQTT", true],
    ["LORAtoMQTT", true],
    ["door", false],
    ["temperature", false],
    ["lwt", false],
    ["status", false],
  ] as const) {
    it(`${measurement}: ${expected ? "a gateway's status" : "a sensor"}`, () => assert.equal(isGatewayStatus(measurement), expected));
  }
});

describe("isGatewayCode (OpenMQTTGateway modules passing on codes, not measurements)", () => {
  for (const [measurement, expected] of [
    ["433toMQTT", true],
    ["SRFBtoMQTT", true],
    ["IRtoMQTT", true],
    ["SERIALtoMQTT", true],
    ["RS232toMQTT", true],
    ["RFtoMQTT", false], // the RF receiver's own status
    ["ADCtoMQTT", false],
    ["SYStoMQTT", false],
    ["temperature", false],
    ["irtomqtt", false],
  ] as const) {
    it(`${measurement}: ${expected ? "codes" : "not codes"}`, () => assert.equal(isGatewayCode(measurement), expected));
  }
});

describe("labelFromLevel", () => {
  it("makes a readable label", () => {
    assert.equal(labelFromLevel("attic"), "Attic");
    assert.equal(labelFromLevel("living_room"), "Living room");
    assert.equal(labelFromLevel("coffee-maker"), "Coffee maker");
    assert.equal(labelFromLevel("co2"), "CO₂");
    assert.equal(labelFromLevel("pm25"), "PM2.5");
  });
});

describe("filterWithin", () => {
  const table: [filter: string, own: string, within: boolean][] = [
    ["home/kitchen/#", "home/kitchen/#", true],
    ["home/kitchen", "home/kitchen/#", true],
    ["home/kitchen/lamp/set", "home/kitchen/#", true],
    ["home/kitchen/+/set", "home/kitchen/#", true],
    ["home/#", "home/kitchen/#", false],
    ["home/+/lamp", "home/kitchen/#", false],
    ["home/attic/lamp", "home/kitchen/#", false],
    ["home/kitchen/lamp", "home/+/lamp", true],
    ["home/+/lamp", "home/+/lamp", true],
    ["home/+/lamp/set", "home/+/lamp", false],
    ["home", "home/kitchen", false],
    ["#", "#", true],
  ];
  for (const [filter, own, within] of table) {
    it(`${filter} ${within ? "is" : "is not"} within ${own}`, () => assert.equal(filterWithin(filter, own), within));
  }
});

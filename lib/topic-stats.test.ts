import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createTopicStats, PAYLOAD_CHARS, PREVIEW_CHARS, previewPayload } from "./topic-stats";
import { buildTopicTree } from "./topic-tree";

const T0 = Date.UTC(2026, 0, 1);
const msg = (topic: string, text: string, retain = false) => ({ topic, payload: Buffer.from(text), retain });

describe("topic stats", () => {
  it("keeps the last payload, count and time of every topic, sorted", () => {
    const stats = createTopicStats();
    stats.record(msg("home/b/t", "1"), T0);
    stats.record(msg("home/a/t", "2"), T0 + 10);
    stats.record(msg("home/b/t", "3"), T0 + 20);
    assert.deepEqual(
      stats.snapshot(T0 + 20).map(({ topic, preview, count, lastAt }) => [topic, preview, count, lastAt]),
      [
        ["home/a/t", "2", 1, T0 + 10],
        ["home/b/t", "3", 2, T0 + 20],
      ],
    );
  });

  it("follows MQTT's retained semantics: set by a retained payload, kept by plain publishes, cleared by an empty one", () => {
    const stats = createTopicStats();
    const retained = () => stats.snapshot(T0)[0].retained;
    stats.record(msg("home/a/fan/state", "ON"), T0);
    assert.equal(retained(), false);
    stats.record(msg("home/a/fan/state", "ON", true), T0);
    assert.equal(retained(), true);
    stats.record(msg("home/a/fan/state", "OFF"), T0);
    assert.equal(retained(), true);
    stats.record(msg("home/a/fan/state", "", true), T0);
    assert.equal(retained(), false);
  });

  it("measures the message rate over the last windows, and lets it fall to zero", () => {
    const stats = createTopicStats({ rateWindowMs: 10_000 });
    // One message a second for 20 s.
    for (let i = 0; i < 20; i++) stats.record(msg("t", String(i)), T0 + i * 1000);
    assert.equal(Math.round(stats.snapshot(T0 + 20_000)[0].ratePerMin), 60);
    assert.equal(stats.snapshot(T0 + 60_000)[0].ratePerMin, 0);
  });

  it("stops tracking new topics when full, and counts them", () => {
    const stats = createTopicStats({ maxTopics: 2 });
    for (const t of ["a", "b", "c", "a"]) stats.record(msg(t, "1"), T0);
    assert.deepEqual([stats.snapshot(T0).map((s) => s.topic), stats.overflow()], [["a", "b"], 1]);
  });

  it("previews text, cuts long payloads and names binary ones", () => {
    const text = (preview: string) => ({ preview, binaryBytes: null });
    assert.deepEqual(previewPayload(Buffer.from("21.5")), text("21.5"));
    assert.deepEqual(previewPayload(Buffer.from("x".repeat(500))), text(`${"x".repeat(PREVIEW_CHARS)}…`));
    // The explorer words the size in its language (explorer.binary).
    assert.deepEqual(previewPayload(Buffer.from([0xff, 0xfe, 0x00])), { preview: "", binaryBytes: 3 });
    assert.deepEqual(previewPayload(Buffer.alloc(0)), text(""));
  });
});

describe("buildTopicTree", () => {
  it("nests topics by level, counts them, and keeps a topic that is also a parent", () => {
    const stats = createTopicStats();
    for (const t of ["home/attic/temperature", "home/attic", "home/hall/temperature", "zigbee2mqtt/bridge/state"]) {
      stats.record(msg(t, "1"), T0);
    }
    const tree = buildTopicTree(stats.snapshot(T0));
    assert.deepEqual(
      tree.map((n) => [n.path, n.topicCount]),
      [
        ["home", 3],
        ["zigbee2mqtt", 1],
      ],
    );
    const attic = tree[0].children[0];
    assert.deepEqual([attic.path, attic.stat?.topic, attic.children.map((c) => c.path)], [
      "home/attic",
      "home/attic",
      ["home/attic/temperature"],
    ]);
  });

  it("is empty for no topics", () => {
    assert.deepEqual(buildTopicTree([]), []);
  });

  it("keeps each topic's last payload in full for the payload view, up to a limit", () => {
    const stats = createTopicStats();
    const json = JSON.stringify({ state: "ON", linkquality: 120, update: { state: "idle", installed_version: 1, long: "y".repeat(200) } });
    stats.record({ topic: "zigbee2mqtt/lamp", payload: Buffer.from(json), retain: true }, 5);
    assert.deepEqual(stats.payload("zigbee2mqtt/lamp"), { topic: "zigbee2mqtt/lamp", text: json, binaryBytes: null, truncated: false, lastAt: 5, retained: true });
    assert.equal(stats.snapshot(5)[0].preview, `${json.slice(0, PREVIEW_CHARS)}…`);
    stats.record({ topic: "big", payload: Buffer.from("é".repeat(PAYLOAD_CHARS * 3)), retain: false }, 6);
    const big = stats.payload("big")!;
    assert.equal(big.truncated, true);
    assert.equal(big.text.length, PAYLOAD_CHARS);
    assert.equal(stats.payload("never"), null);
  });
});


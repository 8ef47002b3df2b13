import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RetainedTrie, SubscriptionTrie, splitSharedFilter } from "./topic-trie";
import { topicMatches } from "./topics";

const FILTERS = [
  "home/attic/temperature", "home/+/temperature", "home/#", "#", "+", "+/+", "$SYS/#", "$SYS/+/uptime",
  "+/broker/uptime", "home/+", "home/attic/temperature/#", "home/+/+/state", "home/attic/", "/", "/#", "+/#",
];
const TOPICS = [
  "home/attic/temperature", "home/attic/humidity", "home//temperature", "home", "home/attic/lamp/state",
  "$SYS/broker/uptime", "house/attic", "home/attic/", "/", "a", "$x", "home/attic/temperature",
];

function matching(trie: SubscriptionTrie<string, number>, topic: string): string[] {
  const out: string[] = [];
  trie.match(topic, {
    subscriber: (key) => out.push(key),
    group: (group) => out.push(`$share/${group.name}/${group.filter}:${[...group.members.keys()].join(",")}`),
  });
  return out.sort();
}

describe("SubscriptionTrie", () => {
  const trie = new SubscriptionTrie<string, number>();
  FILTERS.forEach((filter, i) => trie.set(filter, filter, i));

  for (const topic of TOPICS) {
    it(`matches ${topic} exactly as topicMatches does (§4.7, $-topics §4.7.2)`, () => {
      assert.deepEqual(matching(trie, topic), FILTERS.filter((f) => topicMatches(f, topic)).sort());
    });
  }

  it("keeps one value per (subscriber, filter) and counts subscriptions", () => {
    const t = new SubscriptionTrie<string, number>();
    assert.equal(t.set("a/+", "c1", 0), true);
    assert.equal(t.set("a/+", "c1", 1), false);
    assert.equal(t.set("a/#", "c1", 2), true);
    assert.equal(t.size, 2);
    const values: number[] = [];
    t.match("a/b", { subscriber: (_k, v) => values.push(v), group: () => {} });
    assert.deepEqual(values.sort(), [1, 2]);
  });

  it("[MQTT-4.8.2-1] $share/<group>/<filter> subscriptions match by their filter, once per group", () => {
    const t = new SubscriptionTrie<string, number>();
    t.set("$share/g1/home/+", "a", 0);
    t.set("$share/g1/home/+", "b", 0);
    t.set("$share/g2/home/#", "c", 0);
    t.set("home/+", "d", 0);
    assert.deepEqual(matching(t, "home/x"), ["$share/g1/home/+:a,b", "$share/g2/home/#:c", "d"]);
    assert.deepEqual(matching(t, "other"), []);
  });

  it("removes subscriptions and prunes empty branches", () => {
    const t = new SubscriptionTrie<string, number>();
    t.set("a/b/c", "x", 0);
    t.set("$share/g/a/b/c", "y", 0);
    assert.equal(t.delete("a/b/c", "x"), true);
    assert.equal(t.delete("a/b/c", "x"), false);
    assert.deepEqual(matching(t, "a/b/c"), ["$share/g/a/b/c:y"]);
    assert.equal(t.delete("$share/g/a/b/c", "y"), true);
    assert.equal(t.size, 0);
    assert.deepEqual(matching(t, "a/b/c"), []);
    assert.equal((t as unknown as { root: { children: Map<string, unknown> } }).root.children.size, 0);
  });
});

describe("splitSharedFilter", () => {
  const cases: [string, ReturnType<typeof splitSharedFilter>][] = [
    ["home/+", { group: null, filter: "home/+" }],
    ["$share/g/home/+", { group: "g", filter: "home/+" }],
    ["$share/g/#", { group: "g", filter: "#" }],
    ["$share/g", null], // [MQTT-4.8.2-1] a filter must follow the group
    ["$share//x", null], // [MQTT-4.8.2-2] the group has at least one character
    ["$share/g+/x", null],
    ["$share/g/", null],
  ];
  for (const [filter, expected] of cases) {
    it(`${filter} → ${JSON.stringify(expected)}`, () => assert.deepEqual(splitSharedFilter(filter), expected));
  }
});

describe("RetainedTrie", () => {
  const retained = new RetainedTrie<string>();
  for (const topic of TOPICS) retained.set(topic, topic);

  for (const filter of FILTERS) {
    it(`finds the retained topics ${filter} matches, as topicMatches does`, () => {
      const found: string[] = [];
      retained.match(filter, (v) => found.push(v));
      assert.deepEqual(found.sort(), [...new Set(TOPICS)].filter((t) => topicMatches(filter, t)).sort());
    });
  }

  it("replaces, reads and deletes by topic, pruning empty branches", () => {
    const r = new RetainedTrie<number>();
    r.set("a/b", 1);
    r.set("a/b", 2);
    r.set("a", 3);
    assert.equal(r.size, 2);
    assert.equal(r.get("a/b"), 2);
    assert.equal(r.delete("a/b"), true);
    assert.equal(r.delete("a/b"), false);
    assert.equal(r.get("a/b"), undefined);
    assert.deepEqual([...r.values()], [3]);
    assert.equal(r.delete("a"), true);
    assert.equal(r.size, 0);
  });
});

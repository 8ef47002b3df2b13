import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DEFAULT_POINTS, MAX_POINTS, parseHistoryRequest } from "./request";

const NOW = Date.UTC(2026, 0, 1);
const parse = (query: string, wildcards = false) => parseHistoryRequest(new URLSearchParams(query), NOW, wildcards);

describe("parseHistoryRequest", () => {
  it("defaults to the last hour up to the hub's now, at the default budget", () => {
    assert.deepEqual(parse("topic=home/attic/temperature"), {
      ok: true,
      request: { topic: "home/attic/temperature", from: NOW - 3_600_000, to: NOW, points: DEFAULT_POINTS },
    });
  });

  it("clamps the budget into range instead of refusing it", () => {
    const points = (p: string) => {
      const r = parse(`topic=a/b&points=${p}`);
      return r.ok ? r.request.points : null;
    };
    assert.deepEqual([points("0"), points("-5"), points("640"), points("99999")], [1, 1, 640, MAX_POINTS]);
  });

  it("takes a filter only where wildcards are allowed", () => {
    assert.equal(parse("topic=home/%2B/temperature", true).ok, true);
    assert.deepEqual(parse("topic=home/%2B/temperature"), {
      ok: false,
      message: "topic: a topic name may not contain the wildcards + or #",
    });
    assert.deepEqual(parse("topic=home/a%2B/t", true), { ok: false, message: "topic: + must fill a whole level of a filter" });
  });

  const bad: [query: string, message: RegExp][] = [
    ["", /^topic: is required/],
    ["topic=a/b&from=yesterday", /^from: must be epoch milliseconds/],
    ["topic=a/b&from=2000&to=1000", /^from: must not be later than to/],
    [`topic=a/b&from=0&to=${NOW}`, /^from: the range from\.\.to may span at most 400 days/],
    ["topic=a/b&points=many", /^points: must be a whole number/],
  ];
  for (const [query, message] of bad) {
    it(`refuses ${JSON.stringify(query)} with a message naming the parameter`, () => {
      const result = parse(query);
      assert.ok(!result.ok && message.test(result.message), JSON.stringify(result));
    });
  }
});

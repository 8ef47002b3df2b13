import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { medianStep, withGaps } from "./gaps";

const at = (...ts: number[]) => ts.map((t) => ({ t, v: t }));

describe("withGaps", () => {
  const cases: { name: string; points: { t: number; v: number }[]; bucketMs: number; want: (number | string)[] }[] = [
    { name: "no points", points: [], bucketMs: 0, want: [] },
    { name: "one point", points: at(5), bucketMs: 0, want: [5] },
    { name: "two points, however far apart: no step to compare with", points: at(0, 1000), bucketMs: 0, want: [0, 1000] },
    { name: "evenly spaced readings", points: at(0, 10, 20, 30, 40), bucketMs: 0, want: [0, 10, 20, 30, 40] },
    { name: "an outage of many steps", points: at(0, 10, 20, 200, 210, 220), bucketMs: 0, want: [0, 10, 20, "gap@110", 200, 210, 220] },
    { name: "a step of exactly three is not a gap", points: at(0, 10, 20, 50, 60), bucketMs: 0, want: [0, 10, 20, 50, 60] },
    { name: "two outages", points: at(0, 10, 20, 100, 110, 120, 400, 410), bucketMs: 0, want: [0, 10, 20, "gap@60", 100, 110, 120, "gap@260", 400, 410] },
    { name: "one empty bucket is not an outage", points: at(0, 60, 180, 240, 300), bucketMs: 60, want: [0, 60, 180, 240, 300] },
    { name: "several empty buckets are", points: at(0, 60, 120, 600, 660), bucketMs: 60, want: [0, 60, 120, "gap@360", 600, 660] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = withGaps(c.points, c.bucketMs).map((p) => (p.v === null ? `gap@${p.t}` : p.t));
      assert.deepEqual(got, c.want);
    });
  }

  it("keeps the points it was given untouched", () => {
    const points = [{ t: 0, v: 1, min: 0, max: 2 }, ...at(10, 20, 500)];
    assert.equal(withGaps(points, 0)[0], points[0]);
  });

  it("takes the median step, so one long step does not hide itself", () => {
    assert.equal(medianStep(at(0, 10, 20, 1000)), 10);
    assert.equal(medianStep(at(0)), 0);
  });
});

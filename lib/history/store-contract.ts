// The contract every HistoryStore passes, whatever stands behind it (aedes-persistence's
// abstract.js is the model). An implementation's test file calls historyStoreContract
// once per way it can be opened; a new store is done when this suite passes unchanged.
//
// Beyond store.ts's types, the contract pins what a chart relies on:
// - raw readings come back untouched (bucketMs 0, no min/max) while they fit the budget;
// - past the budget, buckets are ceil((to - from + 1) / maxPoints) ms wide when built from
//   raw readings, and widened to whole roll-up rows when built from a roll-up tier
//   (tier-contract.ts); each point's `t` is its bucket's start and `v`/`min`/`max` the
//   mean/min/max of its readings;
// - a non-finite value makes append throw and the whole batch is rolled back;
// - a topic's unit is the one its last appended reading carried.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { ATTIC, KITCHEN, reading, series, T0, wobble } from "./contract-fixtures";
import { querySeries, readSeriesInto } from "./series";
import { createSeriesJson } from "./series-json";
import type { HistoryStore } from "./store";
import { tierContract } from "./tier-contract";

export function historyStoreContract(name: string, open: () => Promise<HistoryStore> | HistoryStore): void {
  describe(`HistoryStore contract: ${name}`, () => {
    let store: HistoryStore;

    beforeEach(async () => {
      store = await open();
    });

    afterEach(async () => {
      await store.close();
    });

    const query = (topic: string, from: number, to: number, maxPoints = 1000) =>
      store.query({ topic, from, to, maxPoints });

    it("returns appended readings with their topic, range and unit", async () => {
      await store.append([reading(ATTIC, T0, 21.5), reading(ATTIC, T0 + 1000, 21.75), reading(ATTIC, T0 + 2000, 22)]);
      assert.deepEqual(await query(ATTIC, T0, T0 + 2000), {
        topic: ATTIC,
        unit: "°C",
        from: T0,
        to: T0 + 2000,
        bucketMs: 0,
        tier: "raw",
        points: [
          { t: T0, v: 21.5 },
          { t: T0 + 1000, v: 21.75 },
          { t: T0 + 2000, v: 22 },
        ],
      });
    });

    it("treats an append of no readings as a no-op", async () => {
      await store.append([]);
      assert.deepEqual(await store.latest(), []);
    });

    it("includes readings exactly at from and at to, and nothing outside", async () => {
      await store.append([10, 0, 5, 11, -1].map((dt) => reading(ATTIC, T0 + dt, dt)));
      const { points } = await query(ATTIC, T0, T0 + 10);
      assert.deepEqual(points, [
        { t: T0, v: 0 },
        { t: T0 + 5, v: 5 },
        { t: T0 + 10, v: 10 },
      ]);
    });

    it("answers an unknown topic with no points and no unit", async () => {
      await store.append([reading(ATTIC, T0, 20)]);
      assert.deepEqual(await query("home/cellar/temperature", T0 - 1000, T0 + 1000), {
        topic: "home/cellar/temperature",
        unit: "",
        from: T0 - 1000,
        to: T0 + 1000,
        bucketMs: 0,
        tier: "raw",
        points: [],
      });
    });

    it("answers a range with no readings, or an inverted one, with no points", async () => {
      await store.append([reading(ATTIC, T0, 20), reading(ATTIC, T0 + 10_000, 21)]);
      const gap = await query(ATTIC, T0 + 1, T0 + 9999);
      assert.deepEqual([gap.points, gap.unit, gap.bucketMs], [[], "", 0]);
      const inverted = await query(ATTIC, T0 + 10_000, T0);
      assert.deepEqual(inverted.points, []);
    });

    it("returns points oldest first, whatever order they were appended in", async () => {
      await store.append([reading(ATTIC, T0 + 3000, 3), reading(ATTIC, T0 + 1000, 1)]);
      await store.append([reading(KITCHEN, T0 + 1500, 50), reading(ATTIC, T0 + 2000, 2), reading(ATTIC, T0, 0)]);
      const { points } = await query(ATTIC, T0, T0 + 3000);
      assert.deepEqual(
        points.map((p) => p.v),
        [0, 1, 2, 3],
      );
    });

    it("buckets past the budget, keeping a one-reading spike and dip visible in max and min", async () => {
      // 100 readings of 20, one second apart, with a spike at 37 s and a dip at 72 s.
      const values = (i: number) => (i === 37 ? 90 : i === 72 ? -5 : 20);
      await store.append(series(ATTIC, 100, values));
      const result = await query(ATTIC, T0, T0 + 99_999, 10);
      assert.equal(result.bucketMs, 10_000);
      assert.equal(result.unit, "°C");
      assert.deepEqual(
        result.points,
        Array.from({ length: 10 }, (_, b) => ({
          t: T0 + b * 10_000,
          v: b === 3 ? 27 : b === 7 ? 17.5 : 20,
          min: b === 7 ? -5 : 20,
          max: b === 3 ? 90 : 20,
        })),
      );
    });

    it("never returns more points than the budget", async () => {
      // Uneven spacing, so buckets hold different numbers of readings and some none.
      await store.append(Array.from({ length: 500 }, (_, i) => reading(ATTIC, T0 + i * i * 7, i % 13)));
      const to = T0 + 499 * 499 * 7;
      for (const maxPoints of [1, 2, 3, 7, 64, 499]) {
        const { points, bucketMs } = await query(ATTIC, T0, to, maxPoints);
        assert.ok(points.length >= 1 && points.length <= maxPoints, `${points.length} points for a budget of ${maxPoints}`);
        // A roll-up tier widens buckets to whole roll-up rows, never narrows them.
        assert.ok(bucketMs >= Math.ceil((to - T0 + 1) / maxPoints), `bucket of ${bucketMs} ms for ${maxPoints}`);
        for (let i = 0; i < points.length; i++) {
          const { t, v, min, max } = points[i];
          assert.ok(min !== undefined && max !== undefined && min <= v && v <= max, `point ${i} has min ≤ v ≤ max`);
          assert.ok(t >= T0 && t <= to && (t - T0) % bucketMs === 0, `point ${i} starts a bucket`);
          if (i > 0) assert.ok(t > points[i - 1].t, "points are oldest first");
        }
      }
    });

    it("sizes buckets to fit a span that the budget does not divide evenly", async () => {
      // 10 ms into 3 buckets: 4 ms wide, the last one holding only 2 ms.
      await store.append(Array.from({ length: 10 }, (_, i) => reading(ATTIC, T0 + i, i)));
      const result = await query(ATTIC, T0, T0 + 9, 3);
      assert.equal(result.bucketMs, 4);
      assert.deepEqual(result.points, [
        { t: T0, v: 1.5, min: 0, max: 3 },
        { t: T0 + 4, v: 5.5, min: 4, max: 7 },
        { t: T0 + 8, v: 8.5, min: 8, max: 9 },
      ]);
    });

    it("returns raw points when the data fits the budget exactly or with room to spare", async () => {
      await store.append(series(ATTIC, 10, (i) => i));
      const raw = Array.from({ length: 10 }, (_, i) => ({ t: T0 + i * 1000, v: i }));
      for (const maxPoints of [10, 11, 2000]) {
        const result = await query(ATTIC, T0, T0 + 9000, maxPoints);
        assert.deepEqual([result.bucketMs, result.points], [0, raw], `budget of ${maxPoints}`);
      }
      const tight = await query(ATTIC, T0, T0 + 9000, 9);
      assert.ok(tight.bucketMs > 0 && tight.points.length <= 9);
    });

    it("handles a single reading, and a budget of a single point", async () => {
      await store.append([reading(KITCHEN, T0 + 500, 41, "%")]);
      assert.deepEqual((await query(KITCHEN, T0, T0 + 1000, 1)).points, [{ t: T0 + 500, v: 41 }]);

      await store.append(series(ATTIC, 4, (i) => [18, 24, 21, 17][i]));
      const one = await query(ATTIC, T0, T0 + 3999, 1);
      assert.deepEqual([one.bucketMs, one.points], [4000, [{ t: T0, v: 20, min: 17, max: 24 }]]);
    });

    it("rejects a range that is not whole milliseconds and a budget below one point", async () => {
      await store.append([reading(ATTIC, T0, 20)]);
      await assert.rejects(query(ATTIC, T0, T0 + 1000, 0), RangeError);
      await assert.rejects(query(ATTIC, T0 + 0.5, T0 + 1000), RangeError);
    });

    it("keeps the unit per topic: the one its last appended reading carried", async () => {
      await store.append([reading(KITCHEN, T0, 40, "%"), reading(ATTIC, T0, 70, "°F")]);
      assert.equal((await query(KITCHEN, T0, T0)).unit, "%");
      assert.equal((await query(ATTIC, T0, T0)).unit, "°F");
      await store.append([reading(ATTIC, T0 + 1000, 21, "°C")]);
      assert.equal((await query(ATTIC, T0, T0 + 1000)).unit, "°C");
      assert.equal((await query(KITCHEN, T0, T0)).unit, "%");
      await store.append([reading("home/hall/button", T0, 1, "")]);
      assert.equal((await query("home/hall/button", T0, T0)).unit, "");
    });

    it("reports the newest reading of every topic, sorted by topic", async () => {
      await store.append([reading(KITCHEN, T0 + 2000, 45, "%"), reading(ATTIC, T0 + 5000, 23)]);
      // Appended last but older: latest() goes by timestamp, not by arrival.
      await store.append([reading(ATTIC, T0 + 1000, 19), reading(KITCHEN, T0, 40, "%")]);
      assert.deepEqual(await store.latest(), [
        { topic: ATTIC, room: "attic", measurement: "temperature", value: 23, unit: "°C", ts: T0 + 5000 },
        { topic: KITCHEN, room: "kitchen", measurement: "humidity", value: 45, unit: "%", ts: T0 + 2000 },
      ]);
    });

    // Issue 13: the chart route writes its JSON while the store reads (series-json.ts, with no
    // object per point); the dashboard must get the bytes Response.json made of query's series.
    it("answers a chart's JSON, written as it is read, exactly as JSON.stringify of query's series", async () => {
      await store.append(series(ATTIC, 3000, wobble));
      await store.append([1, 2, 3].map((i) => reading(KITCHEN, T0 + i * 1000, i / 3, "%")));
      const end = T0 + 2_999_000;
      const requests = [
        { topic: ATTIC, from: T0, to: end, points: 3000 }, // raw readings that fit
        { topic: ATTIC, from: T0, to: end, points: 100 }, // raw readings in buckets
        { topic: "home/+/+", from: end - 30 * 86_400_000, to: end, points: 1000 }, // hour roll-ups, and a topic that fits
        { topic: "home/#", from: T0 - 10_000, to: T0 - 1, points: 10 }, // nothing in range
        { topic: "home/cellar/temperature", from: T0, to: end, points: 10 }, // no such topic
      ];
      for (const req of requests) {
        const json = createSeriesJson();
        await readSeriesInto(store, req, json);
        const expected = JSON.stringify({ series: await querySeries(store, req), serverNow: end });
        assert.equal(json.finish(end).toString("utf8"), expected, `${req.topic}, ${req.points} points`);
      }
    });

    tierContract(() => store);

    // review-5 #2: the minute's sum went +Infinity, then Infinity + -Infinity = NaN: SQLite's NOT NULL
    // refused the roll-up row on every retry (and the hub's whole write group with it); PostgreSQL raised overflow.
    it("stores readings near the largest number in both directions: the roll-up stays finite and later readings go on", async () => {
      const big = 1.7e308;
      await store.append([reading(ATTIC, T0, big), reading(ATTIC, T0 + 1000, big)]);
      await store.append([reading(ATTIC, T0 + 2000, -big), reading(ATTIC, T0 + 3000, -big)]);
      await store.append([reading(ATTIC, T0 + 4000, 20)]);
      assert.equal((await query(ATTIC, T0, T0 + 10_000)).points.length, 5);
      // Raw readings pruned: the minute's roll-up row answers.
      await store.prune({ raw: T0 + 60_000 });
      const minute = await query(ATTIC, T0, T0 + 59_999, 10);
      assert.equal(minute.tier, "minute");
      const [bucket] = minute.points;
      assert.ok(Number.isFinite(bucket.v), `mean ${bucket.v}`);
      assert.deepEqual([bucket.min, bucket.max], [-big, big]);
    });

    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      it(`rolls back the whole batch when a value is ${bad}`, async () => {
        await store.append([reading(ATTIC, T0, 20)]);
        const cellar = "home/cellar/temperature";
        await assert.rejects(
          store.append([reading(ATTIC, T0 + 1000, 21), reading(cellar, T0 + 1000, 12), reading(cellar, T0 + 2000, bad)]),
        );
        assert.deepEqual((await query(ATTIC, T0, T0 + 10_000)).points, [{ t: T0, v: 20 }]);
        assert.deepEqual((await query(cellar, T0, T0 + 10_000)).points, []);

        // A store that remembered the rolled-back topic would now file readings under the wrong one.
        await store.append([reading(KITCHEN, T0 + 3000, 44, "%")]);
        await store.append([reading(cellar, T0 + 4000, 13)]);
        assert.deepEqual((await query(KITCHEN, T0, T0 + 10_000)).points, [{ t: T0 + 3000, v: 44 }]);
        assert.deepEqual((await query(cellar, T0, T0 + 10_000)).points, [{ t: T0 + 4000, v: 13 }]);
        assert.deepEqual(
          (await store.latest()).map((r) => r.topic),
          [ATTIC, cellar, KITCHEN],
        );
      });
    }
  });
}

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createSeriesJson } from "./series-json";
import { seriesInOrder } from "./series-order";
import type { HistorySeries, SeriesSink } from "./store";

const T0 = Date.UTC(2026, 10, 30, 13, 59, 59, 999);

/** Hands `s` to a sink as a store's readSeries would: its head, then its points as numbers. */
function feed(into: SeriesSink, s: HistorySeries): void {
  const { points, ...head } = s;
  into.head(head);
  for (const p of points) into.point(p.t, p.v, p.min ?? Number.NaN, p.max ?? Number.NaN);
}

/** The bytes the writer makes for `series`, as the route answers them. */
function written(series: readonly HistorySeries[], serverNow: number, firstBytes?: number): Buffer {
  const json = createSeriesJson(firstBytes);
  for (const s of series) feed(json, s);
  return json.finish(serverNow);
}

/** What the route answered before: Response.json's bytes, JSON.stringify's UTF-8. */
const stringified = (series: readonly HistorySeries[], serverNow: number) => Buffer.from(JSON.stringify({ series, serverNow }));

const head = { topic: "home/attic/temperature", unit: "°C", from: T0 - 86_400_000, to: T0 };
// Values a sensor sends and the ones where number formatting changes form (csv-bytes.test.ts's).
const VALUES = [
  0, -0, 1, -1, 20, 21.5, -21.5, 0.1, 0.1 + 0.2, 1 / 3, 1.005, 15.502777777777778, 0.000001, 1.5e-7, 1e-7, 123456.789,
  2 ** 53, 2 ** 53 + 2, -Number.MAX_SAFE_INTEGER, 1e21, 1.5e21, 1e300, -1e-300, Number.MIN_VALUE, Number.MAX_VALUE,
];
const raw: HistorySeries = { ...head, bucketMs: 0, tier: "raw", points: VALUES.map((v, i) => ({ t: T0 - 60_000 + i, v })) };
const buckets: HistorySeries = {
  ...head,
  bucketMs: 3_600_000,
  tier: "hour",
  points: VALUES.map((v, i) => ({ t: head.from + i * 3_600_000, v, min: v - 1, max: -v })),
};
const empty: HistorySeries = { ...head, unit: "", bucketMs: 0, tier: "raw", points: [] };

describe("the charts' answer as bytes", () => {
  it("is JSON.stringify's answer, byte for byte, for raw points, buckets and empty series", () => {
    for (const series of [[], [raw], [buckets], [empty], [raw, empty, buckets], [empty, empty]]) {
      assert.deepEqual(written(series, T0 + 5), stringified(series, T0 + 5));
    }
  });

  it("writes what is not a finite number as JSON does: null", () => {
    const odd: HistorySeries = {
      ...buckets,
      points: [
        { t: T0, v: Number.NaN, min: Number.NEGATIVE_INFINITY, max: Number.POSITIVE_INFINITY },
        { t: T0 + 1, v: null as unknown as number, min: 1, max: 2 },
      ],
    };
    assert.deepEqual(written([odd], T0), stringified([odd], T0));
  });

  it("escapes topics and units as JSON.stringify does", () => {
    const names = ['home/"quoted"/t', "home/back\\slash/t", "home/tab\there/t", "home/ctl\u0001/t", "home/😀/t", "home/lone\ud800/t", "home/\u2028/t"];
    const series = names.map((topic, i): HistorySeries => ({ ...raw, topic, unit: names[names.length - 1 - i], points: raw.points.slice(0, 2) }));
    assert.deepEqual(written(series, T0), stringified(series, T0));
  });

  it("grows its buffer as it writes: 20 series of 2,000 buckets from a one-byte start", () => {
    const wide: HistorySeries = { ...buckets, points: Array.from({ length: 2000 }, (_, i) => ({ t: head.from + i, v: 15 + i / 7, min: i, max: 1e21 + i })) };
    const series = Array.from({ length: 20 }, (_, i) => ({ ...wide, topic: `home/room-${i}/temperature` }));
    assert.deepEqual(written(series, T0, 1), stringified(series, T0));
  });
});

describe("series read at once, written in order", () => {
  const three = [raw, empty, buckets];

  /** Feeds the three series through seriesInOrder in the given interleaving of steps; the bytes written. */
  function interleaved(steps: readonly number[]): Buffer {
    const json = createSeriesJson();
    const order = seriesInOrder(json, three.length);
    // Each series' steps: its head, each point, then done.
    const pending = three.map((s, i) => {
      const sink = order.sink(i);
      const { points, ...h } = s;
      return [() => sink.head(h), ...points.map((p) => () => sink.point(p.t, p.v, p.min ?? Number.NaN, p.max ?? Number.NaN)), () => order.done(i)];
    });
    for (const i of steps) pending[i].shift()!();
    for (const p of pending) assert.equal(p.length, 0, "every step taken");
    return json.finish(T0);
  }
  const stepsOf = (i: number) => Array<number>(three[i].points.length + 2).fill(i);
  const roundRobin = () => {
    const left = three.map((_, i) => stepsOf(i));
    const out: number[] = [];
    while (left.some((l) => l.length)) for (const l of left) if (l.length) out.push(l.shift()!);
    return out;
  };

  it("writes the series in topic order whatever order they are read in", () => {
    const expected = stringified(three, T0);
    for (const steps of [[0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]].map((o) => o.flatMap(stepsOf))) {
      assert.deepEqual(interleaved(steps), expected, `series read in the order ${[...new Set(steps)]}`);
    }
    assert.deepEqual(interleaved(roundRobin()), expected, "series read side by side");
  });

  it("refuses a series that ended without a head", () => {
    const order = seriesInOrder(createSeriesJson(), 1);
    assert.throws(() => order.done(0), /without a head/);
  });
});

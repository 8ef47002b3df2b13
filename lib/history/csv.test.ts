import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { csvField, csvFileName, rawToCsv, seriesToCsv } from "./csv";

const T0 = Date.UTC(2026, 0, 1);

describe("history CSV", () => {
  it("quotes only fields that need it", () => {
    assert.deepEqual(
      ["plain", 'say "hi"', "a,b", "line\nbreak", 21.5, undefined].map(csvField),
      ["plain", '"say ""hi"""', '"a,b"', '"line\nbreak"', "21.5", ""],
    );
  });

  it("writes a chart's points, raw and bucketed, one row each", () => {
    const csv = seriesToCsv([
      { topic: "home/a/temperature", unit: "°C", from: T0, to: T0 + 1, bucketMs: 0, tier: "raw", points: [{ t: T0, v: 20 }] },
      {
        topic: "home/b/temperature",
        unit: "°C",
        from: T0,
        to: T0 + 1,
        bucketMs: 60_000,
        tier: "minute",
        points: [{ t: T0, v: 21, min: 19, max: 23 }],
      },
    ]);
    assert.equal(
      csv,
      "time,timestamp_ms,topic,value,min,max,unit,tier,bucket_ms\r\n" +
        "2026-01-01T00:00:00.000Z,1767225600000,home/a/temperature,20,,,°C,raw,0\r\n" +
        "2026-01-01T00:00:00.000Z,1767225600000,home/b/temperature,21,19,23,°C,minute,60000\r\n",
    );
  });

  it("writes raw readings, and only a header when there are none", () => {
    assert.equal(rawToCsv("home/a/humidity", "%", []), "time,timestamp_ms,topic,value,unit\r\n");
    assert.equal(
      rawToCsv("home/a/humidity", "%", [{ t: T0 + 1500, v: 48.5 }]).split("\r\n")[1],
      "2026-01-01T00:00:01.500Z,1767225601500,home/a/humidity,48.5,%",
    );
  });

  it("names files after the topic and range", () => {
    assert.equal(csvFileName("home/+/temperature", T0, T0 + 3_600_000), "home-all-temperature_2026-01-01T00-00_2026-01-01T01-00.csv");
    assert.equal(csvFileName("home/a/t", T0, T0, "-raw"), "home-a-t-raw_2026-01-01T00-00_2026-01-01T00-00.csv");
  });
});

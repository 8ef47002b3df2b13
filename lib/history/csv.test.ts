import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CSV_BOM, csvField, csvFileName, rawToCsv, seriesToCsv } from "./csv";
import { createZonedIso, exportTimeZone, parseTimeZone } from "./csv-time";

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
      `${CSV_BOM}time (UTC),timestamp_ms,topic,value,min,max,unit,tier,bucket_ms\r\n` +
        "2026-01-01T00:00:00.000Z,1767225600000,home/a/temperature,20,,,°C,raw,0\r\n" +
        "2026-01-01T00:00:00.000Z,1767225600000,home/b/temperature,21,19,23,°C,minute,60000\r\n",
    );
  });

  it("writes raw readings, and only a header when there are none", () => {
    assert.equal(rawToCsv("home/a/humidity", "%", []), `${CSV_BOM}time (UTC),timestamp_ms,topic,value,unit\r\n`);
    assert.equal(
      rawToCsv("home/a/humidity", "%", [{ t: T0 + 1500, v: 48.5 }]).split("\r\n")[1],
      "2026-01-01T00:00:01.500Z,1767225601500,home/a/humidity,48.5,%",
    );
  });

  it("starts with a UTF-8 byte-order mark, so Excel reads °C as °C", () => {
    const bytes = Buffer.from(rawToCsv("home/a/temperature", "°C", [{ t: T0, v: 20 }]), "utf8");
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.match(bytes.toString("utf8"), /,°C\r\n$/);
  });

  it("writes times in the zone its header names, with that zone's offset on each date", () => {
    const csv = rawToCsv("home/a/t", "°C", [{ t: Date.UTC(2026, 0, 15, 12), v: 1 }, { t: Date.UTC(2026, 6, 15, 12), v: 2 }], "Europe/Berlin");
    const lines = csv.split("\r\n");
    assert.equal(lines[0], `${CSV_BOM}time (Europe/Berlin),timestamp_ms,topic,value,unit`);
    assert.equal(lines[1].split(",")[0], "2026-01-15T13:00:00.000+01:00");
    assert.equal(lines[2].split(",")[0], "2026-07-15T14:00:00.000+02:00", "summer time");
  });

  it("formats offsets west of UTC and on half hours, and across a DST change", () => {
    assert.equal(createZonedIso("America/New_York")(Date.UTC(2026, 0, 1, 3, 30)), "2025-12-31T22:30:00.000-05:00");
    assert.equal(createZonedIso("Asia/Kolkata")(Date.UTC(2026, 0, 1)), "2026-01-01T05:30:00.000+05:30");
    // Europe/Berlin leaves summer time at 01:00 UTC on 2026-10-25.
    const berlin = createZonedIso("Europe/Berlin");
    assert.equal(berlin(Date.UTC(2026, 9, 25, 0, 59, 59)), "2026-10-25T02:59:59.000+02:00");
    assert.equal(berlin(Date.UTC(2026, 9, 25, 1, 0, 0)), "2026-10-25T02:00:00.000+01:00");
  });

  it("takes a known zone from tz, UTC without one, and refuses a made-up one", () => {
    assert.equal(exportTimeZone(new URLSearchParams("")), "UTC");
    assert.equal(exportTimeZone(new URLSearchParams("tz=Asia/Seoul")), "Asia/Seoul");
    assert.equal(exportTimeZone(new URLSearchParams("tz=Mars/Olympus")), null);
    assert.equal(parseTimeZone(""), null);
  });

  it("names files after the topic and range", () => {
    assert.equal(csvFileName("home/+/temperature", T0, T0 + 3_600_000), "home-all-temperature_2026-01-01T00-00_2026-01-01T01-00.csv");
    assert.equal(csvFileName("home/a/t", T0, T0, "-raw"), "home-a-t-raw_2026-01-01T00-00_2026-01-01T00-00.csv");
  });
});

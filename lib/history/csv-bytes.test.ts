import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { rawRows } from "./csv";
import { createRawCsvWriter } from "./csv-bytes";
import { decimalsOf } from "./number-bytes";
import type { RawReading } from "./store";

const T0 = Date.UTC(2026, 10, 30, 13, 59, 59, 999);

/** What the byte writer writes for `readings`, as text, and the pieces it came in. */
function written(topic: string, unit: string, readings: readonly RawReading[], zone: string, pieceBytes?: number) {
  const writer = createRawCsvWriter(topic, unit, zone, pieceBytes);
  for (const r of readings) writer.row(r.t, r.v);
  const pieces = writer.take();
  return { text: Buffer.concat(pieces).toString("utf8"), pieces };
}

/** The export's rows are rawRows' text, byte for byte. */
function assertSameRows(topic: string, unit: string, readings: readonly RawReading[], zone = "UTC") {
  const { text } = written(topic, unit, readings, zone);
  assert.equal(text, rawRows(topic, unit, readings, zone));
}

// Values a sensor sends, and the ones where JavaScript's number formatting changes form.
const VALUES = [
  0, -0, 1, -1, 20, 21.5, -21.5, 0.1, 0.2, 0.1 + 0.2, 0.3, 1 / 3, 2 / 3, 48.25, 1013.2, 99.99, 100.01, 1.005, 1.0005,
  15.502777777777778, 0.000001, 0.0000015, 0.00000123, 1.5e-7, 1e-7, 123456.789, 999999.999999, 1234567.1, 1e15 + 0.5,
  2 ** 49 / 1e6, 2 ** 52 + 1, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e20, 1e21, 1.5e21,
  1e300, -1e-300, Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE, 4.35, 4.345, 0.07, 1.1, 2.675, 8.675, 1e-6 + 1e-22,
];

describe("raw rows as bytes", () => {
  it("writes every kind of value exactly as String does", () => {
    assertSameRows("home/a/t", "°C", VALUES.map((v, i) => ({ t: T0 + i, v })));
  });

  it("writes a sweep of sensor-like values exactly as String does", () => {
    // Readings in steps of 1/360, 0.01, 0.1 and 1/7, both signs: the decimals and their neighbours.
    const readings: RawReading[] = [];
    for (let i = 0; i < 20_000; i++) {
      for (const v of [15 + (i % 3600) / 360, i * 0.01, i / 100, i * 0.1, -i / 7, (i - 10_000) * 0.001, i * 1.1, 1 / (i + 1)]) {
        readings.push({ t: T0 + i * 1000, v });
      }
    }
    assertSameRows("home/room-01/temperature", "°C", readings);
  });

  it("writes times as toISOString does, across days, years and the ends of four-digit years", () => {
    const times = [0, 1, 999, 86_399_999, 86_400_000, Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2000, 0, 1), T0];
    times.push(253_402_300_799_999, 253_402_300_800_000, 8.64e15, -1, -86_400_001, 1.5, Date.UTC(1969, 11, 31));
    for (let t = T0 - 3 * 86_400_000; t < T0; t += 3_599_999) times.push(t);
    assertSameRows("home/a/t", "", times.map((t) => ({ t, v: 1 })));
  });

  it("writes each zone's offset, on half and three-quarter hours, across DST changes", () => {
    const times: number[] = [];
    // Europe/Berlin leaves summer time at 01:00 UTC on 2026-10-25; New York two Sundays later.
    for (let t = Date.UTC(2026, 9, 24, 22); t < Date.UTC(2026, 10, 2, 8); t += 7 * 60_000 + 13) times.push(t);
    times.push(0, 253_402_300_799_999);
    const readings = times.map((t, i) => ({ t, v: i / 10 }));
    for (const zone of ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "America/St_Johns", "Pacific/Chatham", "Europe/London", "UTC"]) {
      assertSameRows("home/a/t", "°C", readings, zone);
    }
  });

  it("quotes a topic or unit as csvField does", () => {
    assertSameRows('home/say "hi"/a,b', "kWh,total", [{ t: T0, v: 2.5 }]);
    assertSameRows("home/küche/temperatur", "°C", [{ t: T0, v: -3.25 }]);
  });

  it("cuts rows into pieces no larger than asked, never mid-row", () => {
    const readings = Array.from({ length: 500 }, (_, i) => ({ t: T0 + i * 1000, v: i / 3 }));
    const { text, pieces } = written("home/a/t", "°C", readings, "UTC", 1000);
    assert.equal(text, rawRows("home/a/t", "°C", readings));
    assert.ok(pieces.length > 10);
    for (const piece of pieces) {
      assert.ok(piece.length <= 1000, `${piece.length} bytes`);
      assert.ok(piece.toString("utf8").endsWith("\r\n"));
    }
    // A row longer than a piece gets a piece of its own.
    const long = "home/" + "x".repeat(3000);
    assert.equal(written(long, "", [{ t: T0, v: 1 }], "UTC", 1000).text, rawRows(long, "", [{ t: T0, v: 1 }]));
  });

  it("hands out what was written once, and nothing written before a take again", () => {
    const writer = createRawCsvWriter("home/a/t", "", "UTC");
    writer.row(T0, 1);
    const first = writer.take();
    writer.row(T0 + 1, 2);
    assert.equal(Buffer.concat(first).toString(), rawRows("home/a/t", "", [{ t: T0, v: 1 }]));
    assert.equal(Buffer.concat(writer.take()).toString(), rawRows("home/a/t", "", [{ t: T0 + 1, v: 2 }]));
    assert.deepEqual(writer.take(), []);
  });

  it("finds a value's decimals only where String writes it in fixed notation with at most six", () => {
    assert.deepEqual([21.5, 0.1 + 0.2, 1.005, 0.000001, 1.5e-7, 15.502777777777778, 123.456789, 123.4567891].map(decimalsOf), [1, 0, 3, 6, 0, 0, 6, 0]);
  });
});

// CSV exports of history, pure. One row per point: ISO time first so a spreadsheet
// reads it as a date, in the zone its header names (csv-time.ts), epoch ms beside it
// so nothing is lost to rounding. Every file starts with a UTF-8 byte-order mark:
// without one Excel reads the file as the system's code page and "°C" becomes "Â°C".
import { createZonedIso, UTC } from "./csv-time";
import type { HistorySeries, RawReading } from "./store";

export const CSV_BOM = "\uFEFF";
const CHART_COLUMNS = "timestamp_ms,topic,value,min,max,unit,tier,bucket_ms";
const RAW_COLUMNS = "timestamp_ms,topic,value,unit";

/** The first line of a file, BOM included: "time (Asia/Seoul),timestamp_ms,…". */
export function csvHeader(kind: "chart" | "raw", zone: string = UTC): string {
  return `${CSV_BOM}${csvField(`time (${zone})`)},${kind === "chart" ? CHART_COLUMNS : RAW_COLUMNS}`;
}

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
export function csvField(value: string | number | undefined): string {
  if (value === undefined) return "";
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function row(fields: (string | number | undefined)[]): string {
  return fields.map(csvField).join(",");
}

/** The points of every series exactly as a chart drew them, times in `zone`. */
export function seriesToCsv(series: readonly HistorySeries[], zone: string = UTC): string {
  const iso = createZonedIso(zone);
  const lines = [csvHeader("chart", zone)];
  for (const s of series) {
    for (const p of s.points) {
      lines.push(row([iso(p.t), p.t, s.topic, p.v, p.min, p.max, s.unit, s.tier, s.bucketMs]));
    }
  }
  return `${lines.join("\r\n")}\r\n`;
}

/** One raw reading's line, line break included: what every export's row is, byte for byte. */
export function rawRow(iso: (t: number) => string, topic: string, unit: string, t: number, v: number): string {
  return `${row([iso(t), t, topic, v, unit])}\r\n`;
}

/** Raw readings' rows without a header, so one file can hold several topics under one. */
export function rawRows(topic: string, unit: string, readings: readonly RawReading[], zone: string = UTC): string {
  const iso = createZonedIso(zone);
  let out = "";
  for (const r of readings) out += rawRow(iso, topic, unit, r.t, r.v);
  return out;
}

export function rawToCsv(topic: string, unit: string, readings: readonly RawReading[], zone: string = UTC): string {
  return `${csvHeader("raw", zone)}\r\n${rawRows(topic, unit, readings, zone)}`;
}

/** A file name a person recognises: home-attic-temperature_2026-01-01T00-00_2026-01-02T00-00.csv */
export function csvFileName(topic: string, from: number, to: number, suffix = ""): string {
  const stamp = (t: number) => new Date(t).toISOString().slice(0, 16).replaceAll(":", "-");
  const name = topic.replaceAll("+", "all").replaceAll("#", "all").replace(/[^A-Za-z0-9_-]+/g, "-");
  return `${name}${suffix}_${stamp(from)}_${stamp(to)}.csv`;
}

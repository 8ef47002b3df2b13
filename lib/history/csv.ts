// CSV exports of history, pure. One row per point: ISO time first so a spreadsheet
// reads it as a date, epoch ms beside it so nothing is lost to rounding.
import type { HistorySeries, RawReading } from "./store";

const CHART_HEADER = "time,timestamp_ms,topic,value,min,max,unit,tier,bucket_ms";
const RAW_HEADER = "time,timestamp_ms,topic,value,unit";

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. */
export function csvField(value: string | number | undefined): string {
  if (value === undefined) return "";
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function row(fields: (string | number | undefined)[]): string {
  return fields.map(csvField).join(",");
}

/** The points of every series exactly as a chart drew them. */
export function seriesToCsv(series: readonly HistorySeries[]): string {
  const lines = [CHART_HEADER];
  for (const s of series) {
    for (const p of s.points) {
      lines.push(row([new Date(p.t).toISOString(), p.t, s.topic, p.v, p.min, p.max, s.unit, s.tier, s.bucketMs]));
    }
  }
  return `${lines.join("\r\n")}\r\n`;
}

export function rawToCsv(topic: string, unit: string, readings: readonly RawReading[]): string {
  const lines = [RAW_HEADER];
  for (const r of readings) lines.push(row([new Date(r.t).toISOString(), r.t, topic, r.v, unit]));
  return `${lines.join("\r\n")}\r\n`;
}

/** A file name a person recognises: home-attic-temperature_2026-01-01T00-00_2026-01-02T00-00.csv */
export function csvFileName(topic: string, from: number, to: number, suffix = ""): string {
  const stamp = (t: number) => new Date(t).toISOString().slice(0, 16).replaceAll(":", "-");
  const name = topic.replaceAll("+", "all").replaceAll("#", "all").replace(/[^A-Za-z0-9_-]+/g, "-");
  return `${name}${suffix}_${stamp(from)}_${stamp(to)}.csv`;
}

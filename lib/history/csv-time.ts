// The time column of a CSV export, in a named time zone (issue 15): a spreadsheet
// shows what the screen showed, and the file says which zone that is. ISO 8601 with
// the zone's offset ("2026-01-01T09:00:00.000+09:00"); UTC ends in "Z".

export const UTC = "UTC";

/** An IANA zone name the runtime knows ("Asia/Seoul", "UTC"), normalised; null otherwise. */
export function parseTimeZone(value: string | null | undefined): string | null {
  if (!value || value.length > 64) return null;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/**
 * The zone an export's `tz` parameter asks for: UTC when absent; null (a 400,
 * "bad-time-zone") when it names no zone this runtime knows.
 */
export function exportTimeZone(params: URLSearchParams): string | null {
  const asked = params.get("tz");
  return asked === null ? UTC : parseTimeZone(asked);
}

/** An export's query with the browser's time zone added (`tz`), so its file reads like the screen. */
export function withViewerZone(params: URLSearchParams): URLSearchParams {
  params.set("tz", Intl.DateTimeFormat().resolvedOptions().timeZone);
  return params;
}

/** Offsets change on quarter hours at the finest (DST rules): one lookup per quarter hour is enough. */
const QUARTER_HOUR_MS = 15 * 60_000;

/**
 * A zone's offset from UTC at epoch ms `t`, in ms; it keeps the offsets by quarter hour,
 * so a long export asks Intl once per quarter hour, not once per row.
 */
export function createZoneOffset(zone: string): (t: number) => number {
  if (zone === UTC) return () => 0;
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
  const offsets = new Map<number, number>();
  return (t) => {
    const quarter = Math.floor(t / QUARTER_HOUR_MS);
    let offset = offsets.get(quarter);
    if (offset === undefined) {
      const at = quarter * QUARTER_HOUR_MS;
      const field = Object.fromEntries(parts.formatToParts(at).map((p) => [p.type, Number(p.value)]));
      offset = Date.UTC(field.year, field.month - 1, field.day, field.hour, field.minute, field.second) - at;
      offsets.set(quarter, offset);
    }
    return offset;
  };
}

/** What follows the time in `zone` at `offset` ms: "Z" for UTC itself, "+05:30" for any named zone. */
export function offsetSuffix(zone: string, offset: number): string {
  if (zone === UTC) return "Z";
  const sign = offset < 0 ? "-" : "+";
  const minutes = Math.abs(offset) / 60_000;
  const hh = String(Math.floor(minutes / 60)).padStart(2, "0");
  const mm = String(minutes % 60).padStart(2, "0");
  return `${sign}${hh}:${mm}`;
}

/** Formats epoch ms as ISO 8601 in one zone ("2026-01-01T09:00:00.000+09:00"; UTC ends in "Z"). */
export function createZonedIso(zone: string): (t: number) => string {
  if (zone === UTC) return (t) => new Date(t).toISOString();
  const offsetMs = createZoneOffset(zone);
  return (t) => {
    const offset = offsetMs(t);
    return `${new Date(t + offset).toISOString().slice(0, -1)}${offsetSuffix(zone, offset)}`;
  };
}

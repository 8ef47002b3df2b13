// The chart range picker's model (issue 6): presets ending now, which follow live
// readings, and custom ranges (typed in, or dragged out on the chart), which do not.

export type PresetId = "1h" | "24h" | "7d" | "30d";
export type RangeSelection = { kind: "preset"; preset: PresetId } | { kind: "custom"; from: number; to: number };

const HOUR_MS = 3_600_000;

/** The picker's buttons say `range.<id>` in the interface language (lib/i18n). */
export const PRESETS: readonly { id: PresetId; spanMs: number; live: boolean }[] = [
  { id: "1h", spanMs: HOUR_MS, live: true },
  { id: "24h", spanMs: 24 * HOUR_MS, live: true },
  { id: "7d", spanMs: 7 * 24 * HOUR_MS, live: false },
  { id: "30d", spanMs: 30 * 24 * HOUR_MS, live: false },
];

export const DEFAULT_RANGE: RangeSelection = { kind: "preset", preset: "24h" };

/** Does the chart keep growing with live readings? Only recent presets do. */
export function isLive(selection: RangeSelection): boolean {
  return selection.kind === "preset" && PRESETS.find((p) => p.id === selection.preset)!.live;
}

/** The range to ask the hub for, in hub time; `to` is null for "up to the hub's now". */
export function requestRange(selection: RangeSelection, hubNow: number): { from: number; to: number | null } {
  if (selection.kind === "custom") return { from: selection.from, to: selection.to };
  const span = PRESETS.find((p) => p.id === selection.preset)!.spanMs;
  return { from: Math.round(hubNow - span), to: null };
}

/** Why a custom range is refused; the picker words it in the interface language (range.error.*). */
export type RangeError = "missing" | "end-before-start";

/** Parses the range picker's custom inputs (datetime-local values, the viewer's time zone). */
export function parseCustomRange(fromText: string, toText: string): RangeSelection | { error: RangeError } {
  const from = new Date(fromText).getTime();
  const to = new Date(toText).getTime();
  if (!Number.isFinite(from) || !Number.isFinite(to)) return { error: "missing" };
  if (to <= from) return { error: "end-before-start" };
  return { kind: "custom", from, to };
}

/** A datetime-local input's value for `t` in the viewer's time zone: "2026-01-01T14:05". */
export function toLocalInput(t: number): string {
  const d = new Date(t - new Date(t).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

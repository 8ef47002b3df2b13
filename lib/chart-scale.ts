// The scales a chart is read by (issue 15), as plain functions: value ticks on round
// numbers, a minimum visible span per unit so a sensor flicking between 38 and 39 %
// does not draw a full-height square wave, and time ticks on round times of day that
// name the day where a range crosses one. Drawn by components/chart-full.tsx and the
// sparkline (components/sparkline.tsx).

/**
 * The smallest value span a chart of this unit shows: noise within it stays a flat
 * line. Chosen from what a person notices (a 2 °C swing, 10 % humidity, 200 ppm CO₂).
 */
const MIN_SPAN: Record<string, number> = {
  "°C": 2,
  "°F": 4,
  "%": 10,
  ppm: 200,
  lx: 100,
  hPa: 5,
  W: 20,
  kWh: 1,
  V: 2,
  A: 1,
  dB: 10,
  "m/s": 2,
  mm: 2,
};

/** The minimum visible span for a unit; an unknown unit gets 1 (or 5 % of the value, if larger). */
export function minimumSpan(unit: string, around = 0): number {
  return MIN_SPAN[unit] ?? Math.max(1, Math.abs(around) * 0.05);
}

/** [min, max] of the values, widened about their middle to at least `minSpan`. */
export function visibleRange(min: number, max: number, minSpan: number): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, minSpan];
  if (max - min >= minSpan) return [min, max];
  const mid = (min + max) / 2;
  return [mid - minSpan / 2, mid + minSpan / 2];
}

/** 1, 2, 2.5 or 5 × a power of ten: the step between round-number ticks. */
export function niceStep(span: number, maxTicks: number): number {
  const raw = span / Math.max(1, maxTicks);
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

/** Rounding noise of float steps (0.1 + 0.2) kept out of the tick values. */
const clean = (x: number, step: number) => {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(x.toFixed(Math.min(digits, 10)));
};

export type ValueScale = { domain: [number, number]; ticks: number[] };

/** A value axis on round numbers covering the data and at least `minSpan`, with at most about `maxTicks` ticks. */
export function valueScale(min: number, max: number, minSpan: number, maxTicks = 5): ValueScale {
  const [lo, hi] = visibleRange(min, max, minSpan);
  const step = niceStep(hi - lo, maxTicks);
  // The 1e-9 keeps float noise (0.3 / 0.05 = 6.000000000000001) from adding a tick.
  const start = Math.floor(lo / step + 1e-9) * step;
  const end = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; start + i * step <= end + step / 1e6; i++) ticks.push(clean(start + i * step, step));
  return { domain: [ticks[0], ticks[ticks.length - 1]], ticks };
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Steps between time ticks, each a round interval on a clock or a calendar. */
const TIME_STEPS = [
  SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  DAY, 2 * DAY, 7 * DAY,
];

/** Local midnight of the day `t` falls in (the viewer's time zone). */
export function localMidnight(t: number): number {
  const d = new Date(t);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** Local midnight of the next day (23, 24 or 25 hours on). */
const nextDay = (midnight: number) => localMidnight(midnight + 36 * HOUR);

export type TimeTick = { t: number; step: number; newDay: boolean };

/**
 * Ticks on round local times (every 15 min, 6 h, a day…), at most `maxTicks`, none
 * closer to an end than `edge` of the range so no label is cut at the chart's edge.
 * `newDay` marks a tick whose label must name its day: the first of a new day, and
 * the first tick when the range crosses days.
 */
export function timeTicks(from: number, to: number, maxTicks: number, edge = 0.03): TimeTick[] {
  const span = to - from;
  if (!(span > 0)) return [];
  const step = TIME_STEPS.find((s) => span / s <= maxTicks) ?? 7 * DAY;
  const margin = span * edge;
  const ticks: TimeTick[] = [];
  const keep = (t: number) => t >= from + margin && t <= to - margin && ticks.push({ t, step, newDay: false });
  // Walk day by day so ticks stay on round local times across a daylight-saving change.
  let dayIndex = 0;
  for (let day = localMidnight(from); day <= to; day = nextDay(day), dayIndex++) {
    if (step >= DAY) {
      if (dayIndex % (step / DAY) === 0) keep(day);
      continue;
    }
    const end = nextDay(day);
    for (let t = day; t < end && t <= to; t += step) keep(t);
  }
  const crossesDays = localMidnight(from) !== localMidnight(to);
  let previousDay = crossesDays ? null : localMidnight(from);
  for (const tick of ticks) {
    const day = localMidnight(tick.t);
    tick.newDay = day !== previousDay;
    previousDay = day;
  }
  return ticks;
}

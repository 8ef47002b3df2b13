// Display formatting shared by the server render and the browser. The locale is
// fixed so both sides print the same text and hydration never sees a mismatch.

const number = new Intl.NumberFormat("en", {
  maximumFractionDigits: 2,
  // Group only from five digits on: "1013.25 hPa" reads better than "1,013.25 hPa".
  useGrouping: "min2",
  // A value that rounds to zero shows as "0", never "-0".
  signDisplay: "negative",
});

/** `31.7` → "31.7", `21.456` → "21.46", `-0.001` → "0". */
export function formatValue(value: number): string {
  return number.format(value);
}

/** `31.7, "°C"` → "31.7 °C"; a unitless value stands alone. */
export function formatReading(value: number, unit: string): string {
  return unit ? `${formatValue(value)} ${unit}` : formatValue(value);
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * How long ago `then` was, seen from `now` (both epoch ms): "just now", "12 s ago",
 * "5 min ago", "2 h ago", "3 d ago". A `then` in the future (a device or browser
 * clock slightly ahead) reads as "just now".
 */
export function formatTimeAgo(then: number, now: number): string {
  const age = now - then;
  if (age < 5 * SECOND) return "just now";
  if (age < MINUTE) return `${Math.floor(age / SECOND)} s ago`;
  if (age < HOUR) return `${Math.floor(age / MINUTE)} min ago`;
  if (age < 2 * DAY) return `${Math.floor(age / HOUR)} h ago`;
  return `${Math.floor(age / DAY)} d ago`;
}

const clock = new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/** "14:05": the time of day of a chart point, in the viewer's time zone. */
export function formatClock(t: number): string {
  return clock.format(t);
}

const dayTime = new Intl.DateTimeFormat("en", { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

/** "Nov 21, 14:05": a chart point on a range longer than a day, in the viewer's time zone. */
export function formatDayTime(t: number): string {
  return dayTime.format(t);
}

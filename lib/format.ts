// Display formatting shared by the server render and the browser. The locale is
// an argument (default English) chosen once per request (lib/i18n), so both sides
// print the same text and hydration never sees a mismatch.
import { createTranslator, type Locale } from "./i18n/translate";

/** Intl formatters are costly to build: one per locale and kind. */
function cached<T>(make: (locale: Locale) => T): (locale: Locale) => T {
  const byLocale = new Map<Locale, T>();
  return (locale) => {
    let value = byLocale.get(locale);
    if (value === undefined) byLocale.set(locale, (value = make(locale)));
    return value;
  };
}

const number = cached(
  (locale) =>
    new Intl.NumberFormat(locale, {
      maximumFractionDigits: 2,
      // Group only from five digits on: "1013.25 hPa" reads better than "1,013.25 hPa".
      useGrouping: "min2",
      // A value that rounds to zero shows as "0", never "-0".
      signDisplay: "negative",
    }),
);

/** `31.7` → "31.7", `21.456` → "21.46", `-0.001` → "0". */
export function formatValue(value: number, locale: Locale = "en"): string {
  return number(locale).format(value);
}

/** `31.7, "°C"` → "31.7 °C"; a unitless value stands alone. */
export function formatReading(value: number, unit: string, locale: Locale = "en"): string {
  return unit ? `${formatValue(value, locale)} ${unit}` : formatValue(value, locale);
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * How long ago `then` was, seen from `now` (both epoch ms): "just now", "12 s ago",
 * "5 min ago", "2 h ago", "3 d ago" (Korean: "방금", "12초 전", …). A `then` in the
 * future (a device or browser clock slightly ahead) reads as "just now".
 */
export function formatTimeAgo(then: number, now: number, locale: Locale = "en"): string {
  const t = createTranslator(locale);
  const age = now - then;
  if (age < 5 * SECOND) return t("time.justNow");
  if (age < MINUTE) return t("time.secondsAgo", { n: Math.floor(age / SECOND) });
  if (age < HOUR) return t("time.minutesAgo", { n: Math.floor(age / MINUTE) });
  if (age < 2 * DAY) return t("time.hoursAgo", { n: Math.floor(age / HOUR) });
  return t("time.daysAgo", { n: Math.floor(age / DAY) });
}

const clock = cached((locale) => new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }));

/** "14:05": the time of day of a chart point, in the viewer's time zone. */
export function formatClock(t: number, locale: Locale = "en"): string {
  return clock(locale).format(t);
}

const dayTime = cached(
  (locale) => new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }),
);

/** "Nov 21, 14:05" ("11월 21일 14:05"): a chart point on a range longer than a day, in the viewer's time zone. */
export function formatDayTime(t: number, locale: Locale = "en"): string {
  return dayTime(locale).format(t);
}

/**
 * A moment seen from `now`: "14:05" today, "Nov 21, 14:05" on another day. Callers pass a
 * shared clock's last tick (useNow(60_000)), up to a minute old: a moment after it has
 * happened, so "now" is at least the moment — else a hub lost at 00:00:10, read against a
 * 23:59:40 tick, would be dated as if on another day (review-12 F2).
 */
export function formatMoment(t: number, now: number, locale: Locale = "en"): string {
  const seen = Math.max(t, now);
  return new Date(t).toDateString() === new Date(seen).toDateString() ? formatClock(t, locale) : formatDayTime(t, locale);
}

const day = cached((locale) => new Intl.DateTimeFormat(locale, { month: "short", day: "numeric" }));

/** "Nov 30" ("11월 30일"): a chart tick at midnight, or on a range of weeks. */
export function formatDay(t: number, locale: Locale = "en"): string {
  return day(locale).format(t);
}

const clockSeconds = cached(
  (locale) => new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }),
);

/** "14:05:30": a chart tick on a range of a few minutes, where minutes alone would repeat. */
export function formatClockSeconds(t: number, locale: Locale = "en"): string {
  return clockSeconds(locale).format(t);
}

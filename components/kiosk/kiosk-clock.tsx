"use client";

import { useNow } from "@/components/use-now";
import { useLocale } from "@/components/use-t";
import type { Locale } from "@/lib/i18n/translate";

const formats = new Map<Locale, { time: Intl.DateTimeFormat; date: Intl.DateTimeFormat }>();

function formatsFor(locale: Locale) {
  let f = formats.get(locale);
  if (!f) {
    f = {
      time: new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }),
      date: new Intl.DateTimeFormat(locale, { weekday: "long", month: "long", day: "numeric" }),
    };
    formats.set(locale, f);
  }
  return f;
}

/** The time and date, big enough to read across a room; blank until hydrated (the server's clock is not the tablet's). */
export function KioskClock() {
  const now = useNow(1000);
  const locale = useLocale();
  const f = formatsFor(locale);
  return (
    // One line, time then date: the rooms below get the height (issue 15).
    <div data-testid="kiosk-clock" className="flex flex-wrap items-baseline gap-x-5">
      <time className="text-6xl font-semibold tabular-nums leading-none" dateTime={now === null ? undefined : new Date(now).toISOString()}>
        {now === null ? "\u00a0" : f.time.format(now)}
      </time>
      <span className="text-2xl text-muted">{now === null ? "\u00a0" : f.date.format(now)}</span>
    </div>
  );
}

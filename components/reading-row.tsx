"use client";

import Link from "next/link";
import { useCallback } from "react";
import { ReadingSparkline } from "@/components/reading-sparkline";
import { SEVERITY_TILE } from "@/components/severity";
import { LiveAge, useLiveText } from "@/components/live-text";
import { shallowEqual, useTopicSelect } from "@/components/use-topic";
import { useTopicAlert } from "@/components/use-alerts";
import { useLocale, useT } from "@/components/use-t";
import { cn } from "@/lib/cn";
import { formatValue } from "@/lib/format";
import { readingHref } from "@/lib/links";
import type { TopicSnapshot } from "@/lib/live-store";
import { inferUnit } from "@/lib/readings";
import { measurementName, measurementWord } from "@/lib/i18n/measurements";

/** What the row itself shows besides the value and its age: it changes rarely. */
function rowView(snapshot: TopicSnapshot | undefined) {
  if (!snapshot) return null;
  const { name, measurement, availability, error, reading } = snapshot;
  return { name, measurement, availability, error, unit: reading?.unit ?? null, hasReading: reading !== null };
}

/**
 * One measurement of a room: name, current value, its age, and the last hour.
 * A new reading re-renders nothing here: its value and age are written into the DOM
 * by store listeners (components/live-text.tsx), and the row re-renders only when its
 * label, unit, error or availability change; the chart follows the store by itself.
 */
export function ReadingRow({ topic, roomLabel }: { topic: string; roomLabel: string }) {
  const row = useTopicSelect(topic, rowView, shallowEqual);
  const alert = useTopicAlert(topic);
  const t = useT();
  const locale = useLocale();
  const valueText = useCallback(
    (s: TopicSnapshot | undefined) => (s?.reading ? formatValue(s.reading.value, locale) : "–"),
    [locale],
  );
  const value = useLiveText<HTMLSpanElement>(topic, valueText);
  // The rooms index lists only topics the store holds, so this is a stale index at worst.
  if (!row) return null;
  const { measurement, error, unit } = row;
  // A discovered sensor has a friendly name ("Greenhouse sensor Temperature").
  const label = row.name ?? measurementName(measurement, locale);
  return (
    <li
      data-topic={topic}
      data-alert={alert ?? undefined}
      data-availability={row.availability ?? undefined}
      className={cn("flex flex-col gap-1 py-3", alert && SEVERITY_TILE[alert])}
    >
      <div className="flex items-baseline justify-between gap-3">
        {/* No prefetch: Link watches every prefetchable link with an IntersectionObserver,
            a thousand targets recomputed on every frame, and the reading page is dynamic
            with no loading state, so a prefetch would fetch next to nothing. */}
        <Link href={readingHref(topic)} prefetch={false} className="-my-2 py-2 text-sm text-muted hover:underline">
          {label}
        </Link>
        <span ref={value.ref} className="text-2xl font-semibold tabular-nums">
          {value.first}
          {unit && <span className="text-base font-normal text-muted">{` ${unit}`}</span>}
        </span>
      </div>
      <div className="flex items-center justify-between gap-3 text-xs text-muted">
        {/* A discovered sensor that says it is offline: its value is the last one it sent. */}
        {row.availability === "offline" && <span className="font-medium text-danger">{t("reading.offline")}</span>}
        {error && (
          <span title={error.message} className="font-medium text-danger">
            {t("reading.unreadable")}
          </span>
        )}
        {row.hasReading && <LiveAge topic={topic} className="ml-auto" />}
      </div>
      <ReadingSparkline topic={topic} unit={unit ?? inferUnit(measurement)} label={`${roomLabel} ${row.name ?? measurementWord(measurement, locale)}`} />
    </li>
  );
}

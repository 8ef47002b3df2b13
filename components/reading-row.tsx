"use client";

import Link from "next/link";
import { useCallback } from "react";
import { ReadingSparkline } from "@/components/reading-sparkline";
import { SEVERITY_TILE } from "@/components/severity";
import { useConnection } from "@/components/use-connection";
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
    // A text sensor (ESPHome's IP address) shows its text as is.
    (s: TopicSnapshot | undefined) => (s?.reading ? formatValue(s.reading.value, locale) : (s?.text ?? "–")),
    [locale],
  );
  const value = useLiveText<HTMLSpanElement>(topic, valueText);
  // The hub out of reach: the value is the last known one, dimmed like the kiosk's, its age beside it.
  const stale = useConnection((c) => c.status === "offline" || c.status === "reconnecting");
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
      data-stale={stale || undefined}
      className={cn("flex flex-col gap-1 py-2 md:py-3", alert && SEVERITY_TILE[alert])}
    >
      {/* The label with the age and any problem under it, the value beside them: one line
          less per reading, so a phone shows more of them (issue 15). */}
      <div className="flex items-center justify-between gap-3">
        <div className="flex min-w-0 flex-col">
          {/* No prefetch: Link watches every prefetchable link with an IntersectionObserver,
              a thousand targets recomputed on every frame, and the reading page is dynamic
              with no loading state, so a prefetch would fetch next to nothing. */}
          <Link href={readingHref(topic)} prefetch={false} className="-my-1 py-1 text-sm text-muted hover:underline">
            {label}
          </Link>
          <div className="flex items-center gap-2 text-xs text-muted">
            {/* A discovered sensor that says it is offline: its value is the last one it sent. */}
            {row.availability === "offline" && <span className="font-medium text-danger">{t("reading.offline")}</span>}
            {error && (
              <span title={error.message} className="font-medium text-danger">
                {t("reading.unreadable")}
              </span>
            )}
            {row.hasReading && <LiveAge topic={topic} />}
          </div>
        </div>
        <span ref={value.ref} data-value className={cn("shrink-0 text-2xl font-semibold tabular-nums transition-opacity", stale && "opacity-50")}>
          {value.first}
          {unit && <span className="text-base font-normal text-muted">{` ${unit}`}</span>}
        </span>
      </div>
      <ReadingSparkline topic={topic} unit={unit ?? inferUnit(measurement)} label={`${roomLabel} ${row.name ?? measurementWord(measurement, locale)}`} />
    </li>
  );
}

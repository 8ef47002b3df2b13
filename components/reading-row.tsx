"use client";

import Link from "next/link";
import { ReadingSparkline } from "@/components/reading-sparkline";
import { SEVERITY_TILE } from "@/components/severity";
import { TimeAgo } from "@/components/time-ago";
import { shallowEqual, useTopicSelect } from "@/components/use-topic";
import { useTopicAlert } from "@/components/use-alerts";
import { useLocale, useT } from "@/components/use-t";
import { cn } from "@/lib/cn";
import { formatValue } from "@/lib/format";
import { readingHref } from "@/lib/links";
import type { TopicSnapshot } from "@/lib/live-store";
import { inferUnit } from "@/lib/readings";
import { labelFromLevel } from "@/lib/topics";

/** What the row itself shows besides the value and its age: it changes rarely. */
function rowView(snapshot: TopicSnapshot | undefined) {
  if (!snapshot) return null;
  const { name, measurement, availability, error, reading } = snapshot;
  return { name, measurement, availability, error, unit: reading?.unit ?? null, hasReading: reading !== null };
}

/**
 * One measurement of a room: name, current value, its age, and the last hour.
 * A new reading re-renders only the value and its age (LiveValue, LiveAge), not the
 * row with its link and chart: a wall of a thousand sensors gets a thousand readings
 * a second (bench/README.md, "dashboard under load").
 */
export function ReadingRow({ topic, roomLabel }: { topic: string; roomLabel: string }) {
  const row = useTopicSelect(topic, rowView, shallowEqual);
  const alert = useTopicAlert(topic);
  const t = useT();
  // The rooms index lists only topics the store holds, so this is a stale index at worst.
  if (!row) return null;
  const { measurement, error, unit } = row;
  // A discovered sensor has a friendly name ("Greenhouse sensor Temperature").
  const label = row.name ?? labelFromLevel(measurement);
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
        <span className="text-2xl font-semibold tabular-nums">
          <LiveValue topic={topic} />
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
      <ReadingSparkline topic={topic} unit={unit ?? inferUnit(measurement)} label={`${roomLabel} ${label.toLowerCase()}`} />
    </li>
  );
}

/** The current value as text; re-renders only when the text changes. */
function LiveValue({ topic }: { topic: string }) {
  const locale = useLocale();
  return useTopicSelect(topic, (s) => (s?.reading ? formatValue(s.reading.value, locale) : "–"));
}

/** "just now", from the current reading's time. */
function LiveAge({ topic, className }: { topic: string; className?: string }) {
  const at = useTopicSelect(topic, (s) => s?.reading?.ts ?? null);
  return at === null ? null : <TimeAgo at={at} className={className} />;
}

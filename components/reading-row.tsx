"use client";

import Link from "next/link";
import { ReadingSparkline } from "@/components/reading-sparkline";
import { SEVERITY_TILE } from "@/components/severity";
import { TimeAgo } from "@/components/time-ago";
import { useTopic } from "@/components/use-topic";
import { useTopicAlert } from "@/components/use-alerts";
import { useLocale, useT } from "@/components/use-t";
import { cn } from "@/lib/cn";
import { formatValue } from "@/lib/format";
import { readingHref } from "@/lib/links";
import { inferUnit } from "@/lib/readings";
import { labelFromLevel } from "@/lib/topics";

/** One measurement of a room: name, current value, its age, and the last hour. */
export function ReadingRow({ topic, roomLabel }: { topic: string; roomLabel: string }) {
  const snapshot = useTopic(topic);
  const alert = useTopicAlert(topic);
  const t = useT();
  const locale = useLocale();
  // The rooms index lists only topics the store holds, so this is a stale index at worst.
  if (!snapshot) return null;
  const { measurement, reading, error } = snapshot;
  // A discovered sensor has a friendly name ("Greenhouse sensor Temperature").
  const label = snapshot.name ?? labelFromLevel(measurement);
  return (
    <li
      data-topic={topic}
      data-alert={alert ?? undefined}
      data-availability={snapshot.availability ?? undefined}
      className={cn("flex flex-col gap-1 py-3", alert && SEVERITY_TILE[alert])}
    >
      <div className="flex items-baseline justify-between gap-3">
        <Link href={readingHref(topic)} className="-my-2 py-2 text-sm text-muted hover:underline">
          {label}
        </Link>
        <span className="text-2xl font-semibold tabular-nums">
          {reading ? formatValue(reading.value, locale) : "–"}
          {reading?.unit && <span className="text-base font-normal text-muted">{` ${reading.unit}`}</span>}
        </span>
      </div>
      <div className="flex items-center justify-between gap-3 text-xs text-muted">
        {/* A discovered sensor that says it is offline: its value is the last one it sent. */}
        {snapshot.availability === "offline" && <span className="font-medium text-danger">{t("reading.offline")}</span>}
        {error && (
          <span title={error.message} className="font-medium text-danger">
            {t("reading.unreadable")}
          </span>
        )}
        {reading && <TimeAgo at={reading.ts} className="ml-auto" />}
      </div>
      <ReadingSparkline
        topic={topic}
        unit={reading?.unit ?? inferUnit(measurement)}
        label={`${roomLabel} ${label.toLowerCase()}`}
      />
    </li>
  );
}

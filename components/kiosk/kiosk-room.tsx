"use client";

import { memo } from "react";
import { DeviceRow } from "@/components/device-row";
import { HistoryChart } from "@/components/history-chart";
import { SEVERITY_TILE } from "@/components/severity";
import { useTopicAlert } from "@/components/use-alerts";
import { useTopic } from "@/components/use-topic";
import { useLocale, useT } from "@/components/use-t";
import { cn } from "@/lib/cn";
import { formatValue } from "@/lib/format";
import type { RoomSummary } from "@/lib/live-rooms";
import { keyTopics } from "@/lib/kiosk/key-topics";
import { measurementName } from "@/lib/i18n/measurements";

/** Badges and states (OFF, online) read from 3 m: at least 16 px on the wall (issue 15). */
const WALL_TEXT = "text-lg [&_.text-xs]:text-base";

/**
 * A room on the wall. As a tile: its key reading large, two more beside it, its
 * toggles; touching its name opens it full-screen with every reading, the key
 * reading's chart and the toggles.
 */
export const KioskRoom = memo(function KioskRoom({
  room,
  expanded,
  onOpen,
}: {
  room: RoomSummary;
  expanded: boolean;
  onOpen: (room: string) => void;
}) {
  const t = useT();
  const [key, ...rest] = keyTopics(room.topics, expanded);
  return (
    <section
      data-testid={`kiosk-room-${room.room}`}
      className={cn("flex min-h-0 flex-col overflow-hidden rounded-3xl border border-line bg-surface", expanded ? "gap-4 p-5" : "px-4 py-3")}
    >
      <h2 className={cn("shrink-0 font-semibold", expanded ? "text-4xl" : "text-xl")}>
        <button
          type="button"
          disabled={expanded}
          onClick={() => onOpen(room.room)}
          aria-label={expanded ? undefined : t("kiosk.showRoom", { room: room.label })}
          className="min-h-11 w-full truncate text-left"
        >
          {room.label}
        </button>
      </h2>
      {key && (
        <ul
          className={cn(
            expanded
              ? "grid grid-cols-[repeat(auto-fill,minmax(16rem,1fr))] gap-x-6 gap-y-1"
              : // A tile's readings take the height its toggles leave, and show only readings that
                // fit whole: one that does not wraps into a second column (gap-x past the padding),
                // which is clipped away. The padding keeps an alert's ring (SEVERITY_TILE) in view.
                "-mx-3 flex min-h-0 flex-1 flex-col flex-wrap content-start gap-x-4 gap-y-1 overflow-hidden px-3 pt-1",
          )}
        >
          <KioskReading topic={key} size={expanded ? "large" : "key"} />
          {rest.map((topic) => (
            <KioskReading key={topic} topic={topic} size={expanded ? "large" : "small"} />
          ))}
        </ul>
      )}
      {expanded && key && <HistoryChart topic={key} label={room.label} height={300} initialRange={{ kind: "preset", preset: "1h" }} />}
      {room.devices.length > 0 && (
        <ul
          aria-label={t("room.devices", { room: room.label })}
          // The toggles never give way: the tile is sized for them (lib/kiosk/grid.ts roomTile).
          className={cn("mt-auto shrink-0 divide-y divide-line border-t border-line", WALL_TEXT, !expanded && "[&>li]:min-h-11 [&>li]:py-0")}
        >
          {room.devices.map((deviceKey) => (
            <DeviceRow key={deviceKey} deviceKey={deviceKey} />
          ))}
        </ul>
      )}
    </section>
  );
});

const VALUE = { key: "text-6xl leading-none", large: "text-5xl leading-tight", small: "text-2xl leading-tight" } as const;

/** A reading: its name over its figure; on a tile, the key reading's figure large and the others' beside their name, one line each. */
function KioskReading({ topic, size }: { topic: string; size: keyof typeof VALUE }) {
  const snapshot = useTopic(topic);
  const alert = useTopicAlert(topic);
  const locale = useLocale();
  if (!snapshot) return null;
  const { reading } = snapshot;
  return (
    <li
      data-kiosk-topic={topic}
      data-alert={alert ?? undefined}
      className={cn(
        "flex min-w-0",
        size === "small" ? "items-baseline gap-2" : "flex-col",
        size === "key" && "gap-1",
        // One column on a tile: as wide as the tile, and an alert's box (-mx-2 px-2) as much wider.
        size !== "large" && (alert ? "w-[calc(100%+1rem)]" : "w-full"),
        alert && SEVERITY_TILE[alert],
      )}
    >
      <span className={cn("truncate text-muted", size === "large" ? "text-xl" : "text-base")}>
        {snapshot.name ?? measurementName(snapshot.measurement, locale)}
      </span>
      <span className={cn("shrink-0 font-semibold tabular-nums", VALUE[size])}>
        {reading ? formatValue(reading.value, locale) : (snapshot.text ?? "–")}
        {reading?.unit && <span className={cn("font-normal text-muted", size === "small" ? "text-lg" : "text-2xl")}>{` ${reading.unit}`}</span>}
      </span>
    </li>
  );
}

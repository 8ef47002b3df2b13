"use client";

import { memo } from "react";
import { DeviceRow } from "@/components/device-row";
import { SEVERITY_TILE } from "@/components/severity";
import { useTopicAlert } from "@/components/use-alerts";
import { useTopic } from "@/components/use-topic";
import { useLocale, useT } from "@/components/use-t";
import { cn } from "@/lib/cn";
import { formatValue } from "@/lib/format";
import type { RoomSummary } from "@/lib/live-rooms";
import { keyTopics } from "@/lib/kiosk/key-topics";
import { measurementName } from "@/lib/i18n/measurements";

/** A room on the wall: its key readings in large type, then its devices' toggles. */
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
  return (
    <section data-testid={`kiosk-room-${room.room}`} className="flex flex-col rounded-3xl border border-line bg-surface p-5">
      <h2 className="text-2xl font-semibold">
        <button
          type="button"
          disabled={expanded}
          onClick={() => onOpen(room.room)}
          aria-label={expanded ? undefined : t("kiosk.showRoom", { room: room.label })}
          className="min-h-11 text-left"
        >
          {room.label}
        </button>
      </h2>
      <ul className={cn("mt-2 grid gap-x-6 gap-y-3", expanded ? "grid-cols-[repeat(auto-fill,minmax(14rem,1fr))]" : "grid-cols-1")}>
        {keyTopics(room.topics, expanded).map((topic) => (
          <KioskReading key={topic} topic={topic} />
        ))}
      </ul>
      {room.devices.length > 0 && (
        <ul aria-label={t("room.devices", { room: room.label })} className="mt-3 divide-y divide-line border-t border-line text-lg">
          {room.devices.map((key) => (
            <DeviceRow key={key} deviceKey={key} />
          ))}
        </ul>
      )}
    </section>
  );
});

function KioskReading({ topic }: { topic: string }) {
  const snapshot = useTopic(topic);
  const alert = useTopicAlert(topic);
  const locale = useLocale();
  if (!snapshot) return null;
  const { reading } = snapshot;
  return (
    <li data-kiosk-topic={topic} data-alert={alert ?? undefined} className={cn("flex items-baseline justify-between gap-4", alert && SEVERITY_TILE[alert])}>
      <span className="text-xl text-muted">{snapshot.name ?? measurementName(snapshot.measurement, locale)}</span>
      <span className="text-5xl font-semibold tabular-nums">
        {reading ? formatValue(reading.value, locale) : "–"}
        {reading?.unit && <span className="text-2xl font-normal text-muted">{` ${reading.unit}`}</span>}
      </span>
    </li>
  );
}

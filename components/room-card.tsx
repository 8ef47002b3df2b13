import Link from "next/link";
import { memo, useId } from "react";
import { DeviceRow } from "@/components/device-row";
import { ReadingRow } from "@/components/reading-row";
import { useT } from "@/components/use-t";
import { roomHref } from "@/lib/links";
import type { RoomSummary } from "@/lib/live-rooms";

/**
 * One room: its readings, then its devices. Memoised on the room summary, which
 * the store replaces only when this room gains a topic or a device.
 */
export const RoomCard = memo(function RoomCard({ room }: { room: RoomSummary }) {
  const titleId = useId();
  const t = useT();
  return (
    <section
      data-testid={`room-${room.room}`}
      aria-labelledby={titleId}
      // Off-screen cards skip style, layout and paint: on a wall of 100 rooms a reading
      // costs the browser only where it can be seen (bench/README.md, "dashboard under load").
      className="rounded-2xl border border-line bg-surface p-4 shadow-sm [content-visibility:auto] [contain-intrinsic-size:auto_20rem]"
    >
      <h2 id={titleId} className="text-lg font-semibold">
        {/* No prefetch, as in ReadingRow: a hundred cards would be a hundred more intersection targets. */}
        <Link href={roomHref(room.room)} prefetch={false} className="inline-flex min-h-11 items-center hover:underline">
          {room.label}
        </Link>
      </h2>
      {room.topics.length > 0 && (
        <ul className="divide-y divide-line">
          {room.topics.map((topic) => (
            <ReadingRow key={topic} topic={topic} roomLabel={room.label} />
          ))}
        </ul>
      )}
      {room.devices.length > 0 && (
        <ul aria-label={t("room.devices", { room: room.label })} className="mt-2 divide-y divide-line border-t border-line">
          {room.devices.map((key) => (
            <DeviceRow key={key} deviceKey={key} />
          ))}
        </ul>
      )}
    </section>
  );
});

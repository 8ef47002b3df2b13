"use client";

import { KioskRoom } from "@/components/kiosk/kiosk-room";
import { useElementSize } from "@/components/use-element-size";
import { useT } from "@/components/use-t";
import { cn } from "@/lib/cn";
import { gridLayout, roomTile } from "@/lib/kiosk/grid";
import type { RoomSummary } from "@/lib/live-rooms";

const GAP = 16;

/**
 * The rooms, sized to the screen left under the clock and alerts: all of them when
 * they fit (the demo's seven on a 1280 × 800 tablet), else pages of as many as fit,
 * with page buttons. Nothing scrolls (issue 15).
 */
export function KioskGrid({
  rooms,
  page,
  onPage,
  onOpen,
}: {
  rooms: readonly RoomSummary[];
  page: number;
  onPage: (page: number) => void;
  onOpen: (room: string) => void;
}) {
  const t = useT();
  const [box, size] = useElementSize();
  // Every tile as tall as the room with the most toggles needs: a toggle is never cut.
  const tile = roomTile(Math.max(0, ...rooms.map((r) => r.devices.length)));
  const layout = gridLayout(rooms.length, { width: size?.width ?? 1200, height: size?.height ?? 600, gap: GAP }, tile);
  const current = Math.min(page, layout.pages - 1);
  const shown = rooms.slice(current * layout.perPage, (current + 1) * layout.perPage);
  return (
    <div className="flex min-h-0 flex-1 flex-col gap-3">
      <div
        ref={box}
        data-testid="kiosk-grid"
        data-columns={layout.columns}
        data-rows={layout.rows}
        data-pages={layout.pages}
        className="grid min-h-0 flex-1"
        style={{
          gap: GAP,
          gridTemplateColumns: `repeat(${layout.columns}, minmax(0, 1fr))`,
          gridTemplateRows: `repeat(${layout.rows}, minmax(0, 1fr))`,
        }}
      >
        {shown.map((room) => (
          <KioskRoom key={room.room} room={room} expanded={false} onOpen={onOpen} />
        ))}
      </div>
      {layout.pages > 1 && (
        <nav aria-label={t("kiosk.pages")} className="flex justify-center gap-3">
          {Array.from({ length: layout.pages }, (_, i) => (
            <button
              key={i}
              type="button"
              aria-current={i === current ? "page" : undefined}
              aria-label={t("kiosk.page", { n: i + 1, of: layout.pages })}
              onClick={() => onPage(i)}
              className={cn(
                "min-h-11 min-w-11 rounded-full border border-line text-lg tabular-nums",
                i === current && "bg-accent text-white",
              )}
            >
              {i + 1}
            </button>
          ))}
        </nav>
      )}
    </div>
  );
}

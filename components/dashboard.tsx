"use client";

import { RoomCard } from "@/components/room-card";
import { useRooms } from "@/components/use-rooms";

/** Every room the hub has heard of, as cards; re-renders only when a room, topic or device appears. */
export function Dashboard({ hubHost }: { hubHost: string }) {
  const rooms = useRooms();
  if (rooms.length === 0) return <EmptyState hubHost={hubHost} />;
  return (
    <div className="grid grid-cols-[repeat(auto-fill,minmax(min(100%,20rem),1fr))] gap-4">
      {/* The store keeps rooms sorted by label. */}
      {rooms.map((room) => (
        <RoomCard key={room.room} room={room} />
      ))}
    </div>
  );
}

function EmptyState({ hubHost }: { hubHost: string }) {
  return (
    <div data-testid="empty-state" className="mx-auto mt-16 max-w-xl text-center">
      <h2 className="text-xl font-semibold">No readings yet</h2>
      <p className="mt-2 text-muted">Rooms appear here as soon as a sensor publishes. To try it, run:</p>
      <pre className="mt-4 overflow-x-auto rounded-lg border border-line bg-surface px-4 py-3 text-left text-sm">
        <code>mosquitto_pub -h {hubHost} -t home/attic/temperature -m 21.5</code>
      </pre>
    </div>
  );
}

// The live store's index of rooms: which measurement topics and devices each room
// holds, as sorted summaries for the room cards. Changes made during one flush are
// collected and committed together, rebuilding only the rooms they touched.
import { labelFromLevel } from "./topics";

export type RoomSummary = {
  readonly room: string;
  readonly label: string;
  /** Measurement topics (`home/<room>/<measurement>`), sorted. */
  readonly topics: readonly string[];
  /** Device keys (`attic/fan`, `ha:switch/node/plug`), sorted; look each up with getDevice. */
  readonly devices: readonly string[];
};

type Member = "topics" | "devices";
type RoomEntry = Record<Member, Set<string>>;

const byLabel = (a: RoomSummary, b: RoomSummary) => a.label.localeCompare(b.label) || a.room.localeCompare(b.room);

export type RoomIndex = {
  add(room: string, member: Member, id: string): void;
  remove(room: string, member: Member, id: string): void;
  /** Rebuilds the rooms changed since the last commit; true when there were any. */
  commit(): boolean;
  /** Every room holding something, by label. */
  rooms(): readonly RoomSummary[];
};

export function createRoomIndex(): RoomIndex {
  const entries = new Map<string, RoomEntry>();
  const summaries = new Map<string, RoomSummary>();
  const changed = new Set<string>();
  let rooms: readonly RoomSummary[] = [];

  return {
    add(room, member, id) {
      let entry = entries.get(room);
      if (!entry) entries.set(room, (entry = { topics: new Set(), devices: new Set() }));
      entry[member].add(id);
      changed.add(room);
    },
    remove(room, member, id) {
      entries.get(room)?.[member].delete(id);
      changed.add(room);
    },
    commit() {
      if (changed.size === 0) return false;
      for (const room of changed) {
        const entry = entries.get(room);
        if (!entry || entry.topics.size + entry.devices.size === 0) {
          entries.delete(room);
          summaries.delete(room);
          continue;
        }
        summaries.set(room, { room, label: labelFromLevel(room), topics: [...entry.topics].sort(), devices: [...entry.devices].sort() });
      }
      changed.clear();
      rooms = [...summaries.values()].sort(byLabel);
      return true;
    },
    rooms: () => rooms,
  };
}

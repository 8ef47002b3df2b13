// The error a reading's promise rejects with when the reading will never be in history
// (broker/recorder.ts): its message must not be acknowledged as stored.
import { HISTORY_REFUSED } from "../lib/history/store";

export class ReadingNotStored extends Error {
  readonly code = "reading-not-stored";
  constructor(readonly reason: "dropped" | "stopped" | "refused") {
    super(
      reason === "dropped"
        ? "the history store fell behind and this reading was dropped"
        : reason === "refused"
          ? "the history database refused this reading"
          : "the recorder stopped before this reading could be written",
    );
    this.name = "ReadingNotStored";
  }
}

/**
 * Whether no retry could ever store the reading: the database refused it for its own data
 * (lib/history/pg-writes.ts refusedForData; a SQLite constraint). A backlog full or a
 * recorder stopped are not: the same reading sent again later can be stored. Either the
 * recorder's promise says so, or, for a reading that joined the broker's write group, the
 * store's own error in the message's ack slot (lib/history/grouped-append.ts).
 */
export function refusedForGood(error: unknown): boolean {
  if (error instanceof ReadingNotStored) return error.reason === "refused";
  return (error as { code?: unknown } | null)?.code === HISTORY_REFUSED;
}

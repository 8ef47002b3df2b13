// Paces a log line that one failure can repeat thousands of times a second (a history
// store that fell behind fails every reading of a burst), without going quiet for the
// rare one (review-7 F8: one line per 1000 failures *ever* left the 2nd…1000th failure of
// a quiet day without a line). The first occurrence is written at once; later ones in the
// next `windowMs` are counted and written as one line at the window's end, with how many
// there were (lib/at-most-every.ts): at most one line per window, and every occurrence
// counted in some line. (The recorder's per-topic throttle of unreadable payloads is the
// same idea kept per topic, with the count in the topic's next line instead.)
import { atMostEvery } from "../lib/at-most-every";

/** `count` more occurrences; `write(since)` writes the line for the `since` occurrences not yet in one. */
export type LogPace = (count: number, write: (since: number) => void) => void;

export function createLogPace(windowMs: number, now: () => number = () => performance.now()): LogPace {
  let held = 0;
  let write: (since: number) => void = () => {};
  const line = atMostEvery(
    () => {
      const since = held;
      held = 0;
      write(since);
    },
    windowMs,
    now,
    { unref: true },
  );
  return (count, writeLine) => {
    held += count;
    write = writeLine; // the newest details go in the line
    line.call();
  };
}

// Paces a log line that one failure can repeat thousands of times a second (a history
// store that fell behind fails every reading of a burst), without going quiet for the
// rare one (review-7 F8: one line per 1000 failures *ever* left the 2nd…1000th failure of
// a quiet day without a line). The first occurrence is written at once; later ones in the
// next `windowMs` are counted and written as one line at the window's end, with how many
// there were: at most one line per window, and every occurrence counted in some line.
// (lib/at-most-every.ts paces views the same way, but its timer keeps a process alive; the
// recorder's per-topic throttle of unreadable payloads is the idea kept per topic, with the
// count in the topic's next line.)

/** `count` more occurrences; `write(since)` writes the line for the `since` occurrences not yet in one. */
export type LogPace = (count: number, write: (since: number) => void) => void;

export function createLogPace(windowMs: number): LogPace {
  let held = 0;
  let writeHeld: (since: number) => void = () => {};
  let windowOpen = false;

  const open = () => {
    windowOpen = true;
    // A line still due must not keep a stopping process (or a test) alive.
    setTimeout(windowEnds, windowMs).unref?.();
  };
  const windowEnds = () => {
    windowOpen = false;
    if (held === 0) return; // a quiet window: the next occurrence is written at once
    const since = held;
    held = 0;
    open();
    writeHeld(since);
  };

  return (count, write) => {
    if (!windowOpen) {
      open();
      write(count);
      return;
    }
    held += count;
    writeHeld = write; // the newest details go in the window's line
  };
}

// Calls a function at most once per interval: the first call in a quiet spell runs at
// once, later ones within the interval are folded into one call at its end. For views
// whose drawing cannot change faster than that (a sparkline of the last hour moves a
// pixel every 15 s or so), while the readings behind them arrive ten times a second.

export type AtMostEvery = { call(): void; cancel(): void };

export function atMostEvery(fn: () => void, intervalMs: number, now: () => number = () => performance.now()): AtMostEvery {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = () => {
    timer = undefined;
    last = now();
    fn();
  };
  return {
    call() {
      if (timer !== undefined) return; // already due at the end of this interval
      const wait = last + intervalMs - now();
      if (wait <= 0) run();
      else timer = setTimeout(run, wait);
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

// Calls a function at most once per interval: the first call in a quiet spell runs at
// once, later ones within the interval are folded into one call at its end. For views
// whose drawing cannot change faster than that (a sparkline of the last hour moves a
// pixel every 15 s or so), while the readings behind them arrive ten times a second.

export type AtMostEvery = { call(): void; cancel(): void };

/**
 * With `phase` (a number in [0, 1), e.g. Math.random), the first fold after a call that ran
 * at once comes that fraction of an interval early, and every later one keeps that phase:
 * views woken by one message (a page's first readings) then redraw spread over the
 * interval, not all in one frame every interval (a long frame each second, which held
 * the readings behind it: bench/README.md, "publish → pixels", issue 13).
 */
export function atMostEvery(
  fn: () => void,
  intervalMs: number,
  now: () => number = () => performance.now(),
  { phase }: { phase?: () => number } = {},
): AtMostEvery {
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
      if (wait > 0) timer = setTimeout(run, wait);
      else {
        run();
        if (phase) last -= phase() * intervalMs;
      }
    },
    cancel() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

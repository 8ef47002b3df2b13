// How soon a crashed web thread is started again. A crash that repeats at once (a bad
// build, a disk that is full) must not become a loop that takes the broker's core:
// each restart within a minute of the last crash waits twice as long, up to 30 s; a
// web thread that ran for a minute starts the count again.
export const FIRST_RESTART_MS = 500;
export const MAX_RESTART_MS = 30_000;
const CALM_MS = 60_000;

export type Restarts = { next(now: number): number };

export function createRestarts(): Restarts {
  let lastCrash = -Infinity;
  let delay = FIRST_RESTART_MS;
  return {
    /** Called at a crash: how long to wait before the next start. */
    next(now) {
      delay = now - lastCrash >= CALM_MS + delay ? FIRST_RESTART_MS : Math.min(delay * 2, MAX_RESTART_MS);
      lastCrash = now;
      return delay;
    },
  };
}

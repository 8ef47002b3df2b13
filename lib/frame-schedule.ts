// When the browser's stores apply what arrived: once per animation frame, so a burst
// of messages costs one render of each thing that changed. Injected as a Schedule so
// the stores are tested in node with a manual one.

/** Runs `callback` once, later; returns a cancel function. */
export type Schedule = (callback: () => void) => () => void;

/** rAF does not fire in a hidden tab; the timeout keeps the stores current there. */
const HIDDEN_TAB_FLUSH_MS = 250;

/** The next animation frame or 250 ms, whichever comes first; runs once. */
export const frameOrTimeout: Schedule = (callback) => {
  let done = false;
  const hasFrames = typeof requestAnimationFrame === "function";
  const run = () => {
    if (done) return;
    done = true;
    cancel();
    callback();
  };
  const frame = hasFrames ? requestAnimationFrame(run) : 0;
  const timer = setTimeout(run, HIDDEN_TAB_FLUSH_MS);
  function cancel() {
    done = true;
    if (hasFrames) cancelAnimationFrame(frame);
    clearTimeout(timer);
  }
  return cancel;
};

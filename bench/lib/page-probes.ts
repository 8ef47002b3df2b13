// Instruments a dashboard page: when each reading's value shows in the DOM, long
// tasks, and animation frames. The probes run in the page; the bench reads their
// records afterwards, so nothing crosses the CDP pipe while the clock runs.
import type { Page } from "playwright-core";

export type Shown = { topic: string; value: number; at: number };

declare global {
  interface Window {
    __benchShown?: Shown[];
    __benchLongTasks?: { start: number; duration: number }[];
    __benchFrames?: number[];
    __benchStop?: () => void;
  }
}

/**
 * Records every change of a reading row's value (the number in its `[data-value]`,
 * as formatValue prints it, group separators dropped) with Date.now(), from a
 * MutationObserver: its callback runs right after React's commit, before the paint.
 */
export async function watchValues(page: Page): Promise<void> {
  await page.evaluate(WATCH_VALUES);
}

// Plain JavaScript, not functions: tsx would wrap named functions in a helper the page lacks.
const WATCH_VALUES = `(() => {
  const shown = [];
  window.__benchShown = shown;
  const last = new Map();
  // The value's own element: since issue 15 a row also shows its age ("12 s ago") before
  // the value, and a sparkline caption with numbers after it.
  const read = (li) => {
    const el = li.querySelector("[data-value]") || li;
    const match = /-?\\d[\\d,]*(?:\\.\\d+)?/.exec(el.textContent || "");
    return match ? Number(match[0].replaceAll(",", "")) : NaN;
  };
  const observer = new MutationObserver((records) => {
    const at = Date.now();
    const rows = new Set();
    for (const r of records) {
      const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      const li = el && el.closest("li[data-topic]");
      if (li) rows.add(li);
    }
    for (const li of rows) {
      const value = read(li);
      if (Number.isNaN(value) || last.get(li) === value) continue;
      last.set(li, value);
      shown.push({ topic: li.getAttribute("data-topic"), value, at });
    }
  });
  observer.observe(document.body, { subtree: true, childList: true, characterData: true });
})()`;

export async function takeShown(page: Page): Promise<Shown[]> {
  return page.evaluate(() => window.__benchShown ?? []);
}

/** Starts counting long tasks (PerformanceObserver 'longtask') and animation frames (rAF). */
export async function watchFrames(page: Page): Promise<void> {
  await page.evaluate(WATCH_FRAMES);
}

const WATCH_FRAMES = `(() => {
  const longTasks = [];
  const frames = [];
  window.__benchLongTasks = longTasks;
  window.__benchFrames = frames;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration });
  });
  observer.observe({ type: "longtask" });
  let running = true;
  const frame = (t) => {
    frames.push(t);
    if (running) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  window.__benchStop = () => {
    running = false;
    observer.disconnect();
  };
})()`;

export async function takeFrames(page: Page): Promise<{ longTasks: { start: number; duration: number }[]; frames: number[] }> {
  return page.evaluate(() => {
    window.__benchStop?.();
    return { longTasks: window.__benchLongTasks ?? [], frames: window.__benchFrames ?? [] };
  });
}

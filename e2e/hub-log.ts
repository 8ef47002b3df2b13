// The hub's own log in the report of a failed browser test. Every TestHub is tracked
// here while it runs; when a test fails, the end of each hub's log (where the test began
// marked) goes to the run's stdout (the list reporter prints a test's stdout as it comes,
// but of an attachment only its path, or its first 300 characters), and each hub's whole
// log is attached as a file beside the trace. CI's failure of screens.spec:166 showed the
// page reconnecting for 15 s and nothing of what the hub saw meanwhile.
import { writeFileSync } from "node:fs";
import { test as base } from "@playwright/test";

/** What a TestHub shows of itself here (no import of hub.ts: it imports this file). */
export type LoggedHub = { readonly url: string; readonly output: string };

/** Hubs started in this worker and not disposed. */
const running = new Set<LoggedHub>();
/** Hubs disposed since the current test began: a test that starts and ends its own hub. */
const ended = new Set<LoggedHub>();

export function trackHub(hub: LoggedHub): void {
  running.add(hub);
}

export function untrackHub(hub: LoggedHub): void {
  if (running.delete(hub)) ended.add(hub);
}

/** Printed lines per hub at most: the end of a long log is where the failure is. */
const MAX_LINES = 400;

function tail(text: string): string {
  const lines = text.trimEnd().split("\n");
  if (lines.length <= MAX_LINES) return lines.join("\n");
  return [`… ${lines.length - MAX_LINES} earlier lines in the attached log`, ...lines.slice(-MAX_LINES)].join("\n");
}

export const test = base.extend<{ hubLog: void }>({
  hubLog: [
    async ({}, use, testInfo) => {
      ended.clear();
      // Where each hub's log stood when the test began (0 for a hub the test starts itself).
      const from = new Map([...running].map((hub) => [hub, hub.output.length]));
      await use();
      if (testInfo.status === testInfo.expectedStatus) return;
      const title = `${testInfo.titlePath.join(" › ")}${testInfo.retry ? ` (retry #${testInfo.retry})` : ""}`;
      for (const [i, hub] of [...running, ...ended].entries()) {
        const file = testInfo.outputPath(`hub-${i + 1}.log`);
        writeFileSync(file, hub.output);
        await testInfo.attach(`hub ${hub.url} log`, { path: file, contentType: "text/plain" });
        // A hub the spec shares across its tests: its log up to this test too (how it started), marked.
        const since = from.get(hub) ?? 0;
        const log = since ? `${hub.output.slice(0, since)}──── this test began here ────\n${hub.output.slice(since)}` : hub.output;
        console.log(`\n──── ${title}: the log of hub ${hub.url} ────\n${tail(log)}\n──── end of the hub's log ────`);
      }
    },
    { auto: true },
  ],
});

export { expect } from "@playwright/test";

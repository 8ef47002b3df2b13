// Keeps the history database bounded: on a schedule, each tier loses the rows
// older than its retention (lib/config.ts `history`). The store prunes in small
// steps, so live writes go on in between.
import type { HistoryConfig } from "../lib/config";
import type { HistoryStore, PruneCutoffs } from "../lib/history/store";
import type { Logger } from "../lib/log";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export function pruneCutoffs(now: number, config: HistoryConfig): Required<PruneCutoffs> {
  return {
    raw: now - config.rawRetentionHours * HOUR_MS,
    minute: now - config.minuteRetentionDays * DAY_MS,
    hour: now - config.hourRetentionDays * DAY_MS,
  };
}

export function startHistoryPruner(
  history: HistoryStore,
  config: HistoryConfig,
  log: Logger,
  now: () => number = Date.now,
): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  // Stopping aborts a prune between its steps: a big first prune must not hold up shutdown.
  const abort = new AbortController();
  const prune = () => {
    running ??= (async () => {
      try {
        const removed = await history.prune(pruneCutoffs(now(), config), { signal: abort.signal });
        if (removed.raw + removed.minute + removed.hour > 0) log.info("history: pruned old rows", removed);
      } catch (error) {
        log.error("history: prune failed", { error: error instanceof Error ? error.message : String(error) });
      } finally {
        running = null;
      }
    })();
  };
  const timer = setInterval(prune, config.pruneIntervalMinutes * 60_000);
  timer.unref();
  prune();
  return {
    async stop() {
      clearInterval(timer);
      abort.abort();
      await running;
    },
  };
}

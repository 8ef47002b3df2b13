import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pruneCutoffs } from "./history-pruner";

describe("pruneCutoffs", () => {
  it("puts each tier's cutoff its retention before now", () => {
    const now = Date.UTC(2026, 5, 1);
    const cutoffs = pruneCutoffs(now, { rawRetentionHours: 48, minuteRetentionDays: 31, hourRetentionDays: 1825, pruneIntervalMinutes: 60, readerThreads: 1 });
    assert.deepEqual(cutoffs, {
      raw: now - 48 * 3_600_000,
      minute: now - 31 * 86_400_000,
      hour: now - 1825 * 86_400_000,
    });
  });
});

// The history section (issue 6) inside `npm run bench`: ingest through the real
// broker, recorder and store, then 24 h / 7 d / 30 d queries; on SQLite and on
// PostgreSQL (issue 14), side by side. It prints its own tables (see bench/history.ts,
// runnable alone) and keeps its figures in the JSON.
import { printHistoryBench, printHistoryComparison, runHistoryBench, saveResult, type HistoryBenchResult } from "./history";
import { BACKENDS } from "./history-stores";
import type { Section } from "./lib/section";

export const historySection: Section = {
  id: "history",
  title: "History: ingest and range queries, SQLite and PostgreSQL",
  async run(ctx) {
    const results: HistoryBenchResult[] = [];
    for (const backend of BACKENDS) {
      ctx.log(`  history on ${backend}…`);
      const result = await runHistoryBench({ quick: ctx.mode !== "full", backend });
      printHistoryBench(result);
      ctx.log(`  history results: ${saveResult(result)}`);
      results.push(result);
    }
    printHistoryComparison(results);
    return { rows: [], raw: results };
  },
};

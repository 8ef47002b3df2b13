// The history section (issue 6) inside `npm run bench`: ingest through the real
// broker, recorder and store, then 24 h / 7 d / 30 d queries. It prints its own
// table (see bench/history.ts, runnable alone) and keeps its figures in the JSON.
import { printHistoryBench, runHistoryBench, saveResult } from "./history";
import type { Section } from "./lib/section";

export const historySection: Section = {
  id: "history",
  title: "History: ingest and range queries",
  async run(ctx) {
    const result = await runHistoryBench({ quick: ctx.mode !== "full" });
    printHistoryBench(result);
    ctx.log(`  history results: ${saveResult(result)}`);
    return { rows: [], raw: result };
  },
};

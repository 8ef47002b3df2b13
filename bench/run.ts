// `npm run bench [-- --quick]`: every benchmark section in turn, each printing a
// table and writing its JSON to bench/results/. Add a section by adding a line.
import { printHistoryBench, runHistoryBench, saveResult } from "./history";

const quick = process.argv.includes("--quick");

const sections: { name: string; run: () => Promise<void> }[] = [
  {
    name: "history",
    run: async () => {
      const result = await runHistoryBench({ quick });
      printHistoryBench(result);
      console.log(`written ${saveResult(result)}`);
    },
  },
];

for (const section of sections) {
  console.log(`\n== ${section.name} ==`);
  await section.run();
}

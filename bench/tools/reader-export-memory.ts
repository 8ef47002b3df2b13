// Where a raw export's memory goes on the reader-thread path (issue 13, item 9), without
// Next or the hub: a day of 20 sensors (e2e/seed-history.ts), then the raw CSV of all of
// them streamed to nowhere through either the web thread's own reader ("direct") or the
// reader threads (broker/history-readers.ts, "threads"), in a process of its own. Prints
// the process's RSS before and at its peak, and this thread's heap and array buffers.
//   node --import tsx bench/tools/reader-export-memory.ts direct|threads [dataDir]
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DAY_OF_READINGS, seededTopic, seedHistory } from "../../e2e/seed-history";
import { createHistoryReaders } from "../../broker/history-readers";
import { rawCsvStream } from "../../lib/history/csv-stream";
import { openSqliteHistoryReader } from "../../lib/history/sqlite-reader";
import { createLogger } from "../../lib/log";
import { rssMB } from "../lib/proc";

const mode = process.argv[2] ?? "threads";
let dir = process.argv[3];
const end = Date.UTC(2026, 10, 30);
if (!dir) {
  dir = mkdtempSync(path.join(tmpdir(), "hearth-reader-mem-"));
  seedHistory(dir, { ...DAY_OF_READINGS, end });
  console.log(`seeded ${dir}`);
}
const file = path.join(dir, "history.sqlite");
const reader = mode === "direct" ? openSqliteHistoryReader(file) : createHistoryReaders({ file, size: 1, log: createLogger("bench") });
const topics = Array.from({ length: DAY_OF_READINGS.sensors }, (_, i) => ({ topic: seededTopic(i), unit: "°C" }));
const job = { topics, from: end - 86_400_000, to: end, maxRows: 1_000_000, filter: "home/#", zone: "UTC" };
const mb = (n: number) => (n / 1e6).toFixed(1);

await reader.topics(); // the thread started and its connection open: part of idle, as in the hub
global.gc?.();
const idle = rssMB(process.pid);
let peak = idle;
const sampler = setInterval(() => (peak = Math.max(peak, rssMB(process.pid))), 50);
for (let run = 1; run <= 3; run++) {
  const t0 = performance.now();
  let bytes = 0;
  const body = rawCsvStream(reader, job).getReader();
  for (let r = await body.read(); !r.done; r = await body.read()) bytes += r.value.length;
  const mu = process.memoryUsage();
  console.log(
    `${mode} run ${run}: ${mb(bytes)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s; RSS idle ${idle.toFixed(1)} peak ${peak.toFixed(1)} (+${(peak - idle).toFixed(1)}) MB; ` +
      `this thread heapUsed ${mb(mu.heapUsed)} heapTotal ${mb(mu.heapTotal)} arrayBuffers ${mb(mu.arrayBuffers)} external ${mb(mu.external)}`,
  );
}
clearInterval(sampler);
await reader.close();

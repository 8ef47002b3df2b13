// Developer tool: how much the history writer's page cache keeps after a burst-sized append, in a bare
// process (no broker, no web thread): RSS before and after N readings (ROOMS × 3 topics, in
// batches of 1,000 as the recorder groups them), and the append CPU per reading.
//   [CACHE=-8192] [SHRINK=1] [N=214000] [ROOMS=10] MALLOC_ARENA_MAX=2 node --expose-gc --import tsx bench/tools/writer-cache.ts
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openDatabase } from "../../lib/history/sqlite-schema.ts";
import { createSqliteHistory } from "../../lib/history/sqlite-store.ts";
const cache = process.env.CACHE; const shrink = process.env.SHRINK === "1";
const file = path.join(mkdtempSync(path.join(tmpdir(), "cachefill-")), "history.db");
const db = openDatabase(file);
if (cache) db.pragma(`cache_size = ${cache}`);
const store = createSqliteHistory(db, file, { closeDb: () => db.close() });
// RSS, and the anonymous part outside V8's heap (SQLite's page cache is malloc'd).
const rss = () => {
  const m = process.memoryUsage();
  const anon = Number(/^RssAnon:\s+(\d+)/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1]) * 1024;
  return `${(m.rss / 1048576).toFixed(1)} (anon outside V8 ${((anon - m.heapTotal) / 1048576).toFixed(1)})`;
};
const gc = () => (globalThis as any).gc?.();
gc(); const before = rss();
const M = ["temperature", "humidity", "power"];
const t0 = Date.now(); let cpu0 = process.cpuUsage();
const N = Number(process.env.N ?? 214000);
// Rooms the readings come from (3 measurements each): the writer's working set is a leaf per topic in the index and roll-ups.
const ROOMS = Number(process.env.ROOMS ?? 10);
for (let i = 0; i < N; i += 1000) {
  const batch = [];
  for (let k = 0; k < 1000; k++) { const n = i + k; batch.push({ topic: `home/burst-${n % ROOMS}/${M[n % 3]}`, room: `burst-${n % ROOMS}`, measurement: M[n % 3], ts: t0 + n / 20, value: 20 + (n % 50) / 10, unit: "°C" }); }
  await store.append(batch);
}
const cpu = process.cpuUsage(cpu0); gc();
const after = rss();
if (shrink) db.pragma("shrink_memory");
gc();
console.log(`cache ${cache ?? `as opened (${db.pragma("cache_size", { simple: true })})`} shrink ${shrink}: RSS before ${before} after ${after} final ${rss()} MB; append CPU ${((cpu.user + cpu.system) / N).toFixed(1)} µs/reading; db pages ${db.pragma("page_count", { simple: true })} × ${db.pragma("page_size", { simple: true })}`);

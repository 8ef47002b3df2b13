// Developer tool (issue 12, QoS 1 pairs): what one write group costs against how many
// readings it holds, on the hub's stores (history + broker state in one SQLite file,
// broker/hub-stores.ts). Fixed cost per commit vs cost per reading says whether bigger
// groups under load would save CPU.
//   node --import tsx bench/tools/group-cost.ts [readings=40000] [topics=10]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openHubStores } from "../../broker/hub-stores";
import { createLogger } from "../../lib/log";

const [total = 40_000, topics = 10] = process.argv.slice(2).map(Number);
const log = createLogger("bench");
for (const size of [1, 5, 10, 25, 50, 100, 200]) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "hearth-group-cost-"));
  const stores = await openHubStores({ dataDir, databaseUrl: null, durability: "normal" }, log);
  let ts = Date.now();
  const groups = Math.floor(total / size);
  const started = process.cpuUsage();
  const t0 = performance.now();
  for (let g = 0; g < groups; g++) {
    for (let i = 0; i < size; i++) {
      const t = (g * size + i) % topics;
      void stores.history.append([{ topic: `home/r${t}/temperature`, room: `r${t}`, measurement: "temperature", value: 20 + (i % 10) / 10, unit: "°C", ts: ts++ }]);
    }
    await stores.broker.commit();
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(started);
  console.log(`group of ${String(size).padStart(3)}: ${groups} groups, ${((cpu.user + cpu.system) / groups).toFixed(0)} µs CPU/group, ${((cpu.user + cpu.system) / (groups * size)).toFixed(1)} µs CPU/reading (sys ${(cpu.system / (groups * size)).toFixed(1)}), wall ${(wall * 1000 / (groups * size)).toFixed(1)} µs/reading`);
  await stores.close();
  rmSync(dataDir, { recursive: true, force: true });
}

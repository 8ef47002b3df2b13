// Developer tool, not a bench section: a CPU profile of the hub process (node
// --cpu-prof) while readings stream in at a steady rate with a dashboard open,
// summarised by self time per function and file.
//   node --import tsx bench/tools/profile-hub.ts [topics=100] [rate=1000] [seconds=5]
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { launchBrowser, openDashboard } from "../lib/browser";
import { closeAll, connectMany } from "../lib/mqtt-load";
import { publishPaced } from "../lib/paced";
import { startHub } from "../lib/servers";
import { waitForRows } from "../lib/dashboard-rig";
import { summarizeProfile, type Profile } from "./cpuprofile";

const [topicCount = 100, rate = 1000, seconds = 5] = process.argv.slice(2).map(Number);
const topics = Array.from({ length: topicCount }, (_, i) => `home/prof-${String(Math.floor(i / 10)).padStart(3, "0")}/m${i % 10}`);
const dir = mkdtempSync(path.join(tmpdir(), "hearth-hub-prof-"));

const hub = await startHub({ nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${dir}`, "--cpu-prof-interval=200"] });
const browser = await launchBrowser();
const clients = await connectMany(hub.mqttUrl, "prof", 10);
try {
  if (process.env.PROFILE_NO_PAGE !== "1") {
    const page = await openDashboard(browser, hub.httpUrl!);
    topics.forEach((t, i) => clients[i % clients.length].publish(t, "1"));
    await waitForRows(page, "home/prof-", topics.length, 120_000);
  }
  await publishPaced({ clients, topics, rate, durationMs: seconds * 1000, firstValue: 2 });
} finally {
  await closeAll(clients);
  await browser.close();
  await hub.stop();
}
const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
if (!file) throw new Error(`no profile in ${dir}`);
console.log(`${path.join(dir, file)}\n${summarizeProfile(JSON.parse(readFileSync(path.join(dir, file), "utf8")) as Profile, seconds, 40)}`);

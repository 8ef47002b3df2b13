// Developer tool: the hub's CPU per message for one flow, with a dashboard open, to
// compare a change against its baseline (run once on each).
//   node --import tsx bench/tools/ab-hub.ts [pattern=fan-in] [messages=20000] [window=50]
import { launchBrowser, openDashboard } from "../lib/browser";
import { runFlow, type Pattern } from "../lib/mqtt-load";
import { cpuTimeMs } from "../lib/proc";
import { startHub } from "../lib/servers";

const [pattern = "fan-in", messages = "20000", window = "50"] = process.argv.slice(2);
const hub = await startHub();
const browser = await launchBrowser();
try {
  if (process.env.AB_NO_PAGE !== "1") await openDashboard(browser, hub.httpUrl!);
  for (let i = 0; i < 3; i++) {
    const cpu0 = cpuTimeMs(hub.pid);
    const r = await runFlow(hub.mqttUrl, { pattern: pattern as Pattern, messages: Number(messages), window: Number(window), deadlineMs: 60_000 });
    await new Promise((res) => setTimeout(res, 500));
    const cpu = cpuTimeMs(hub.pid) - cpu0;
    console.log(`${pattern}: ${r.delivered}/${r.expected} in ${r.elapsedMs.toFixed(0)} ms, hub ${((cpu * 1000) / r.delivered).toFixed(1)} µs CPU/msg`);
  }
} finally {
  await browser.close();
  await hub.stop();
}

// Developer tool: the hub's RSS idle, after one page, and with DEVICES idle devices
// connected (one QoS 1 subscription each, as the memory section's step 2), without the
// section's burst: a quick look at issue 12's "RSS with 1,000 devices" figure.
//   [DEVICES=1000] [NODEARGS="--flag"] node --import tsx bench/tools/memcheck.ts
import { readFileSync } from "node:fs";
import { closeAll, connectMany } from "../lib/mqtt-load";
import { rssMB } from "../lib/proc.ts";
import { startHub } from "../lib/servers";

const devices = Number(process.env.DEVICES ?? 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hub = await startHub({ nodeArgs: (process.env.NODEARGS ?? "").split(" ").filter(Boolean) });
try {
  await sleep(2000);
  console.log("ready", rssMB(hub.pid).toFixed(0));
  await (await fetch(hub.httpUrl!)).text();
  await sleep(3000);
  console.log("after page", rssMB(hub.pid).toFixed(0));
  if (devices > 0) {
    const clients = await connectMany(hub.mqttUrl, "dev", devices, 50);
    await Promise.all(clients.map((c, i) => c.subscribeAsync(`home/dev-${i}/switch/set`, { qos: 1 })));
    await sleep(3000);
    console.log(`with ${devices} devices`, rssMB(hub.pid).toFixed(0));
    await closeAll(clients);
  }
  const status = readFileSync(`/proc/${hub.pid}/status`, "utf8");
  console.log(status.split("\n").filter((l) => /^(Threads|RssAnon|RssFile|VmHWM)/.test(l)).join(" | "));
} finally {
  await hub.stop();
}
process.exit(0);

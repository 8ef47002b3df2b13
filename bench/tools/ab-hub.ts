// Developer tool: the hub's CPU per message for one flow, with a dashboard open, to
// compare a change against its baseline in one run. Two hubs run side by side, A with
// the environment as it is and B with AB_ENV (e.g. AB_ENV="HEARTH_X=1"), pinned as the
// bench pins them (hubs on core 0, load and browser on core 1), and the flow alternates
// between them, A B B A A B …, so both meet the same machine. With AB_ENV unset, A and
// B are the same hub: the spread between them is the noise floor. AB_AEDES=1 adds plain
// aedes as a third, for reference. AB_BUNDLE_A / AB_BUNDLE (B): another build of the hub
// for that side (dist/<name>.mjs, bundled from another commit), to compare two commits
// (read by ../lib/ab-builds.ts). AB_PAYLOAD=json publishes Hearth's JSON reading
// `{"value":21.5,"unit":"°C"}` instead of plain numbers (the default, AB_PAYLOAD=number).
//   node --import tsx bench/tools/ab-hub.ts [pattern=fan-in] [messages=20000] [window=50] [rounds=4]
import { abBuilds } from "../lib/ab-builds";
import { launchBrowser, openDashboard } from "../lib/browser";
import { runFlow, type Pattern, type PayloadKind } from "../lib/mqtt-load";
import { pin } from "../lib/proc";
import { startAedes, startHub, type Server } from "../lib/servers";
import { readFileSync } from "node:fs";

const [pattern = "fan-in", messages = "20000", window = "50", rounds = "4"] = process.argv.slice(2);
const ab = abBuilds();

/** utime and stime (ms) of a process, all threads. */
function cpu(pid: number): { user: number; sys: number } {
  const text = readFileSync(`/proc/${pid}/stat`, "utf8");
  const rest = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return { user: Number(rest[11]) * 10, sys: Number(rest[12]) * 10 };
}

async function settled(pid: number) {
  let previous = cpu(pid);
  for (let i = 0; i < 15; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const now = cpu(pid);
    if (now.user + now.sys - previous.user - previous.sys < 10) return now;
    previous = now;
  }
  return previous;
}

const pinned = pin(process.pid, "1");
const core = pinned ? 0 : undefined;
const browser = await launchBrowser();
const servers: { label: string; server: Server }[] = [];
try {
  servers.push({ label: "A", server: await startHub({ core, bundle: ab.bundleA }) });
  servers.push({ label: "B", server: await startHub({ core, env: ab.envB, bundle: ab.bundleB }) });
  if (process.env.AB_NO_PAGE !== "1") for (const { server } of servers) await openDashboard(browser, server.httpUrl!);
  if (process.env.AB_AEDES === "1") servers.push({ label: "aedes", server: await startAedes({ core }) });
  const payload = (process.env.AB_PAYLOAD ?? "number") as PayloadKind;
  if (payload !== "number" && payload !== "json") throw new Error(`AB_PAYLOAD must be number or json, got ${JSON.stringify(payload)}`);
  console.log(`payload: ${payload}`);
  const spec = { pattern: pattern as Pattern, window: window === "Infinity" ? Infinity : Number(window), deadlineMs: 60_000, payload };
  for (const { server } of servers) await runFlow(server.mqttUrl, { ...spec, messages: 2000 }); // warm-up
  const results = new Map<string, { user: number; sys: number }[]>(servers.map((s) => [s.label, []]));
  for (let round = 0; round < Number(rounds); round++) {
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    for (const { label, server } of order) {
      const before = await settled(server.pid);
      const r = await runFlow(server.mqttUrl, { ...spec, messages: Number(messages) });
      const after = await settled(server.pid);
      const per = { user: ((after.user - before.user) * 1000) / r.delivered, sys: ((after.sys - before.sys) * 1000) / r.delivered };
      results.get(label)!.push(per);
      console.log(`${label.padEnd(5)} ${pattern}: ${r.delivered}/${r.expected} in ${r.elapsedMs.toFixed(0)} ms, ${(per.user + per.sys).toFixed(1)} µs CPU/msg (user ${per.user.toFixed(1)}, sys ${per.sys.toFixed(1)})`);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const [label, rs] of results) {
    console.log(`${label.padEnd(5)} median ${median(rs.map((r) => r.user + r.sys)).toFixed(1)} µs/msg (user ${median(rs.map((r) => r.user)).toFixed(1)}, sys ${median(rs.map((r) => r.sys)).toFixed(1)})`);
  }
} finally {
  await browser.close();
  await Promise.all(servers.map(({ server }) => server.stop()));
}

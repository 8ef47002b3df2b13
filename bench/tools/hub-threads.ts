// Whose CPU is on the hub's shared threads? (issue 13, P4: the hub's "other threads" rose from
// 2 to 18 % of a core while the web thread served five people, at nice 0 with 45 % run-queue
// wait.) Node 20 names no thread ("node" for all), so they are told apart by when they were
// made: the broker's (main) thread, then V8's platform (Node's delayed-task scheduler and its
// --v8-pool-size=4 workers: concurrent marking and sweeping, parallel scavenge helpers and
// background compilers, for *every* isolate of the process), then the inspector's signal
// thread and libuv's pool of 4 (made when the ESM loader first reads a file, before any
// worker: file reads, zlib, crypto's scrypt), then the web thread and its readers. The
// phases check that reading: gzip shows on the libuv group alone, garbage on the V8 group.
//
// The hub is the stall section's (24 h × 20 sensors) with 500 readings/s published through
// it in every phase, so the broker isolate's share of the V8 threads is the "broker only" row.
//   node --import tsx bench/tools/hub-threads.ts          (under the heavy lock; PHASE_MS, SEED_HOURS for a dry run)
import mqtt from "mqtt";
import { readdirSync, readFileSync } from "node:fs";
import { DAY_OF_READINGS, seedHistory } from "../../e2e/seed-history";
import { publishPaced } from "../lib/paced";
import { startHub } from "../lib/servers";
import { seedSession } from "../stall";

const DAY_MS = 86_400_000;
const PHASE_MS = Number(process.env.PHASE_MS ?? 8_000);
const READERS = 3;

type Sample = Map<number, { runMs: number; waitMs: number; nice: number; policy: number }>;

function sample(pid: number): Sample {
  const out: Sample = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`).map(Number)) {
    try {
      const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ").map(Number);
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(tid, { runMs: run / 1e6, waitMs: wait / 1e6, nice: Number(rest[16]), policy: Number(rest[38]) });
    } catch {
      // it ended
    }
  }
  return out;
}

async function drain(url: string, headers: Record<string, string>): Promise<number> {
  const response = await fetch(url, { headers });
  encodings.add(`${new URL(url).pathname.split("/").at(-1) || "/"}: ${response.headers.get("content-encoding") ?? "none"}`);
  let bytes = 0;
  const reader = response.body!.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.length;
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return bytes;
}

const encodings = new Set<string>();
const end = Date.now();
let cookie = "";
const hub = await startHub({
  prepare: async (dir) => {
    seedHistory(dir, { ...DAY_OF_READINGS, hours: Number(process.env.SEED_HOURS ?? DAY_OF_READINGS.hours), end });
    cookie = await seedSession(dir);
  },
});
const client = await mqtt.connectAsync(hub.mqttUrl, { clientId: "hub-threads-publisher" });
try {
  const month = `${hub.httpUrl}/api/history/series?topic=${encodeURIComponent("home/+/temperature")}&from=${end - 30 * DAY_MS}&to=${end}&points=1000`;
  const page = `${hub.httpUrl}/`;
  for (let i = 0; i < 3; i++) await Promise.all([drain(month, { cookie }), drain(page, { cookie })]); // code and SQLite pages warm
  encodings.clear();

  // Roles by birth order (see the top); the web side is what gave way (nice above the broker's, or SCHED_IDLE).
  const first = sample(hub.pid);
  const brokerNice = first.get(hub.pid)!.nice;
  const others = [...first.keys()].filter((t) => t !== hub.pid).sort((a, b) => a - b);
  const isWeb = (t: { nice: number; policy: number }) => t.policy === 5 || t.nice > brokerNice;
  const shared = others.filter((t) => !isWeb(first.get(t)!));
  const v8 = new Set(shared.slice(0, 5));
  const role = (tid: number, t: { nice: number; policy: number }) =>
    tid === hub.pid ? "broker thread" : isWeb(t) ? "web thread (+ readers)" : v8.has(tid) ? "V8 platform (5)" : shared.includes(tid) ? "inspector + libuv pool (5)" : "other";
  console.log(`threads: broker ${hub.pid}; V8 platform ${[...v8].join(",")}; inspector + libuv ${shared.slice(5).join(",")}; web ${others.filter((t) => isWeb(first.get(t)!)).join(",")}`);

  const phases: [string, () => Promise<unknown>][] = [
    ["broker only (500 readings/s)", () => new Promise((r) => setTimeout(r, PHASE_MS))],
    ["+ 3 readers of 30-day charts, identity", () => loop((h) => drain(month, h), { cookie, "accept-encoding": "identity" })],
    ["+ 3 readers of 30-day charts, gzip", () => loop((h) => drain(month, h), { cookie, "accept-encoding": "gzip, deflate, br" })],
    ["+ 3 readers of the dashboard page, gzip", () => loop((h) => drain(page, h), { cookie, "accept-encoding": "gzip, deflate, br" })],
  ];
  for (const [name, run] of phases) {
    const s0 = sample(hub.pid);
    const t0 = performance.now();
    const [, served] = await Promise.all([publishPaced({ clients: [client], topics: ["bench/threads/a", "bench/threads/b"], rate: 500, durationMs: PHASE_MS }), run()]);
    const wall = performance.now() - t0;
    const s1 = sample(hub.pid);
    const groups = new Map<string, { run: number; wait: number }>();
    for (const [tid, t] of s1) {
      const b = s0.get(tid);
      const g = groups.get(role(tid, t)) ?? { run: 0, wait: 0 };
      g.run += t.runMs - (b?.runMs ?? 0);
      g.wait += t.waitMs - (b?.waitMs ?? 0);
      groups.set(role(tid, t), g);
    }
    const pct = (ms: number) => `${((ms / wall) * 100).toFixed(1)}`.padStart(5);
    console.log(`\n${name}${typeof served === "number" ? ` — ${served} answers` : ""} (${(wall / 1000).toFixed(1)} s)`);
    console.log(`  answers' content-encoding: ${[...encodings].join(", ") || "–"}`);
    encodings.clear();
    for (const [g, v] of [...groups].sort()) console.log(`  ${g.padEnd(28)} cpu ${pct(v.run)} %   waiting ${pct(v.wait)} %`);
  }
} finally {
  await client.endAsync();
  await hub.stop();
}

/** READERS clients asking back to back for PHASE_MS; how many answers. */
async function loop(ask: (headers: Record<string, string>) => Promise<number>, headers: Record<string, string>): Promise<number> {
  const until = performance.now() + PHASE_MS;
  let n = 0;
  await Promise.all(
    Array.from({ length: READERS }, async () => {
      while (performance.now() < until) {
        await ask(headers);
        n++;
      }
    }),
  );
  return n;
}

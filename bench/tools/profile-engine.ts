// The engine (bench/lib/engine-server.ts) under --cpu-prof during one flow, summarised
// by self time. Under the lock:
//   flock /work/locks/heavy.lock node --import tsx bench/tools/profile-engine.ts fan-in 50 30000
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../../e2e/free-port";
import { bundle, HUB_BUNDLE } from "../../scripts/build-hub";
import { runFlow, type Pattern } from "../lib/mqtt-load";
import { summarizeProfile } from "./cpuprofile";

const pattern = (process.argv[2] ?? "fan-in") as Pattern;
const window = process.argv[3] === "burst" ? Infinity : Number(process.argv[3] ?? 50);
const messages = Number(process.argv[4] ?? 30_000);
const file = path.join(path.dirname(HUB_BUNDLE), "bench-engine-server.mjs");
await bundle("bench/lib/engine-server.ts", file);
const dir = mkdtempSync(path.join(tmpdir(), "engine-prof-"));
const port = await freePort();
const child = spawn("taskset", ["-c", "0", process.execPath, "--cpu-prof", `--cpu-prof-dir=${dir}`, file], { env: { ...process.env, PORT: String(port) }, stdio: ["ignore", "pipe", "inherit"] });
await new Promise<void>((resolve) => child.stdout!.on("data", (d) => /ready/.test(String(d)) && resolve()));
const url = `mqtt://127.0.0.1:${port}`;
await runFlow(url, { pattern, messages: 3000, window, deadlineMs: 10_000 });
const started = Date.now();
const r = await runFlow(url, { pattern, messages, window, deadlineMs: 30_000 });
console.log(`${pattern} window ${window}: ${r.delivered}/${r.expected} in ${r.elapsedMs.toFixed(0)} ms`);
child.kill("SIGTERM");
await new Promise((resolve) => child.once("exit", resolve));
const profile = JSON.parse(readFileSync(path.join(dir, readdirSync(dir)[0]), "utf8"));
console.log(summarizeProfile(profile, (Date.now() - started) / 1000, 35));

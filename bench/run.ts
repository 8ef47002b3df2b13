// `npm run bench [-- --quick | --tiny] [--only=pixels,brokers] [--baseline=<file>|none]`:
// runs the sections in order, prints one table on stdout beside a baseline run (by
// default the newest results file of the same mode that measured the same sections), and writes the same rows as JSON
// under bench/results/. It reports; it never fails the test suite.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { brokersSection } from "./brokers";
import { dashboardLoadSection } from "./dashboard-load";
import { historySection } from "./history-section";
import { memorySection } from "./memory";
import { pixelsSection } from "./pixels";
import { stallSection } from "./stall";
import { onlineCores } from "./lib/proc";
import { formatTable, latestResults, readResults, withBaseline, writeResults, type Results, type Row } from "./lib/report";
import type { Mode, Section, SectionContext } from "./lib/section";
import { killStarted, MOSQUITTO, ROOT } from "./lib/servers";

// Sections register here, in the order they run.
const SECTIONS: Section[] = [pixelsSection, brokersSection, dashboardLoadSection, memorySection, historySection, stallSection];

const RESULTS_DIR = path.join(ROOT, "bench/results");

type Args = { mode: Mode; only: Set<string> | null; /** A results file, "none", or null for the newest of the same mode. */ baseline: string | null };

function parseArgs(argv: string[]): Args {
  const usage = `usage: npm run bench [-- --quick | --tiny] [--only=${SECTIONS.map((s) => s.id).join(",")}] [--baseline=<results file>|none]`;
  let mode: Mode = "full";
  let only: Set<string> | null = null;
  let baseline: string | null = null;
  for (const arg of argv) {
    if (arg === "--quick") mode = "quick";
    else if (arg === "--tiny") mode = "tiny";
    else if (arg.startsWith("--only=")) only = new Set(arg.slice("--only=".length).split(","));
    else if (arg.startsWith("--baseline=")) baseline = arg.slice("--baseline=".length);
    else {
      process.stderr.write(`bench: unknown argument ${arg}\n${usage}\n`);
      process.exit(2);
    }
  }
  const unknown = [...(only ?? [])].filter((id) => !SECTIONS.some((s) => s.id === id));
  if (unknown.length) {
    process.stderr.write(`bench: no section ${unknown.join(", ")}\n${usage}\n`);
    process.exit(2);
  }
  return { mode, only, baseline };
}

/** The run to print beside this one: named, or the newest of the same mode; checked before minutes of measuring. */
function loadBaseline(arg: string | null, mode: Mode, only: Set<string> | null): { file: string; results: Results } | null {
  if (arg === "none") return null;
  if (arg === null) return latestResults(RESULTS_DIR, mode, only ? [...only] : SECTIONS.map((s) => s.id));
  const results = readResults(path.resolve(arg));
  if (!results) {
    process.stderr.write(`bench: --baseline=${arg} is not a results file this bench wrote (bench/results/*.json)\n`);
    process.exit(2);
  }
  if (results.mode !== mode) process.stderr.write(`bench: note: the baseline is a ${results.mode} run, this is a ${mode} run\n`);
  return { file: path.resolve(arg), results };
}

/** Mosquitto from apt when missing, and a dashboard build when stale: the same checks npm test makes. */
function prepare(): void {
  const lib = path.join(ROOT, "scripts/lib.sh");
  const script = `source ${JSON.stringify(lib)}; ensure_apt ${MOSQUITTO} mosquitto; if needs_build; then step "Building the dashboard (next build)…"; NEXT_TELEMETRY_DISABLED=1 npx next build; fi`;
  execFileSync("bash", ["-c", script], { cwd: ROOT, stdio: ["ignore", "inherit", "inherit"] });
}

function version(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim().split("\n")[0];
  } catch (error) {
    // mosquitto -h prints its version and exits 3.
    const out = (error as { stdout?: string }).stdout ?? "";
    return out.trim().split("\n")[0] || "unknown";
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? "unknown",
    cores: onlineCores(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    kernel: os.release(),
    node: process.version,
    chromium: version("/usr/bin/chromium", ["--version"]),
    mosquitto: existsSync(MOSQUITTO) ? version(MOSQUITTO, ["-h"]) : "missing",
    hearth: JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).version as string,
    commit: version("git", ["rev-parse", "--short", "HEAD"]),
  };
}

async function main() {
  const { mode, only, baseline: baselineArg } = parseArgs(process.argv.slice(2));
  // Interrupted (Ctrl-C, a timeout's SIGTERM): no section's `finally` will run, so stop the
  // brokers here. The load generator's children exit by themselves when this process goes.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      killStarted();
      process.stderr.write(`bench: ${signal}, brokers stopped\n`);
      process.exit(130);
    });
  }
  const baseline = loadBaseline(baselineArg, mode, only);
  const startedAt = new Date();
  const log = (message: string) => process.stderr.write(`${message}\n`);
  prepare();
  const ctx: SectionContext = { mode, log, cores: onlineCores() };
  const loadBefore = os.loadavg();
  log(`bench: ${mode} run, ${ctx.cores} cores, load average ${loadBefore.map((x) => x.toFixed(2)).join(" ")}`);

  const rows: Row[] = [];
  const sections: Record<string, unknown> = {};
  for (const section of SECTIONS) {
    if (only && !only.has(section.id)) continue;
    const t0 = performance.now();
    log(`\n▶ ${section.title}`);
    try {
      const result = await section.run(ctx);
      rows.push(...result.rows);
      sections[section.id] = { seconds: (performance.now() - t0) / 1000, rows: result.rows, raw: result.raw };
    } catch (error) {
      // One section failing leaves the others' figures standing.
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`✗ ${section.title} failed: ${message}`);
      sections[section.id] = { seconds: (performance.now() - t0) / 1000, error: message };
    }
    log(`  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }

  const seconds = (Date.now() - startedAt.getTime()) / 1000;
  console.log(`\nHearth bench — ${mode} run, ${startedAt.toISOString()}, ${seconds.toFixed(0)} s`);
  if (baseline) {
    const { startedAt: at, machine: m } = baseline.results;
    console.log(`baseline: ${path.relative(process.cwd(), baseline.file)} (${at}, commit ${m?.commit ?? "unknown"}); change = this run vs the baseline`);
  }
  console.log();
  console.log(formatTable(baseline ? withBaseline(rows, baseline.results.rows) : rows));
  const file = writeResults(
    RESULTS_DIR,
    { startedAt: startedAt.toISOString(), mode, seconds, machine: { ...machine(), loadAverageAtStart: loadBefore }, rows, sections },
    startedAt,
  );
  console.log(`\nresults: ${path.relative(process.cwd(), file)}`);
  // Open handles (a stuck socket) must not keep a finished bench alive.
  process.exit(0);
}

await main();

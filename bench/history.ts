// Benchmark: history ingest and queries (issue 6). Generates 30 days of 20
// temperature sensors at one reading every 10 s (5.18 M readings) into a temp SQLite
// file, then times the real paths:
// - ingest through the recorder: readings published on the hub's own broker,
//   delivered by the local Bus, parsed and batched by the recorder, appended to the
//   store with their roll-ups (the last `recorderDays` days);
// - the older history straight through store.append in the recorder's batch size;
// - one scheduled prune with the default retention;
// - 24 h / 7 d / 30 d queries for one topic and for home/+/temperature, 1000 points.
// The same run on SQLite and on PostgreSQL (issue 14; bench/history-stores.ts opens each).
// Runs alone: `node --import tsx bench/history.ts [--quick] [--sqlite | --postgres]`, or from bench/run.ts.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { createBroker } from "../broker/mqtt/broker";
import { createMemoryStore } from "../broker/mqtt/memory-store";
import { createLocalBus } from "../broker/local-bus";
import { pruneCutoffs } from "../broker/history-pruner";
import { startRecorder } from "../broker/recorder";
import { loadConfig } from "../lib/config";
import { querySeries } from "../lib/history/series";
import type { HistoryStore } from "../lib/history/store";
import { createLogger } from "../lib/log";
import type { Reading } from "../lib/readings";
import { BACKENDS, openBenchStore, type Backend } from "./history-stores";

const SENSORS = 20;
const STEP_MS = 10_000;
const DAY_MS = 86_400_000;
const BATCH = 1000;
const POINTS = 1000;
const QUERY_RUNS = 5;

export type HistoryBenchResult = {
  section: "history";
  backend: Backend;
  at: string;
  quick: boolean;
  sensors: number;
  days: number;
  readings: number;
  ingest: { recorderPerSec: number; recorderReadings: number; storePerSec: number; storeReadings: number };
  /** Event-loop delay while the recorder ingests: how long live deliveries on the same loop could wait. */
  loopDelayMs: { p99: number; max: number };
  prune: { ms: number; rawRows: number };
  bytesOnDisk: number;
  freeBytes: number;
  queries: { range: string; target: string; tier: string; points: number; medianMs: number }[];
};

const topicOf = (s: number) => `home/room${String(s + 1).padStart(2, "0")}/temperature`;

/** A fixed daily wave per sensor, so every run stores the same data. */
const valueAt = (s: number, ts: number) => Math.round((20 + s * 0.1 + 3 * Math.sin((ts / DAY_MS) * 2 * Math.PI)) * 100) / 100;

function readingsBetween(from: number, to: number, each: (batch: Reading[]) => void): void {
  let batch: Reading[] = [];
  for (let ts = from; ts < to; ts += STEP_MS) {
    for (let s = 0; s < SENSORS; s++) {
      batch.push({ topic: topicOf(s), room: `room${s + 1}`, measurement: "temperature", value: valueAt(s, ts), unit: "°C", ts });
      if (batch.length === BATCH) {
        each(batch);
        batch = [];
      }
    }
  }
  if (batch.length > 0) each(batch);
}

/** Publishes readings on the embedded broker, as devices would, and lets the recorder store them. */
async function ingestThroughRecorder(store: HistoryStore, from: number, to: number): Promise<number> {
  const bus = createLocalBus();
  const broker = await createBroker({ hooks: [bus], store: createMemoryStore(), log: createLogger("bench") });
  bus.attach(broker);
  const recorder = await startRecorder(bus, store, { log: createLogger("bench") });
  let count = 0;
  const batches: Reading[][] = [];
  readingsBetween(from, to, (b) => batches.push(b));
  for (const batch of batches) {
    // One batch in flight at a time: the broker's queue stays bounded.
    // Each publish resolves once its reading's history row has committed.
    await Promise.all(batch.map((r) => broker.publish({ topic: r.topic, payload: `{"value":${r.value},"ts":${r.ts}}` })));
    count += batch.length;
    // A store that writes asynchronously (PostgreSQL) lets the publisher outrun it; past half
    // the recorder's bounded buffer, wait for it as a device's QoS 1 in-flight window would.
    if (recorder.stats().pending >= BATCH * 5) await recorder.flush();
  }
  await recorder.stop();
  await broker.close();
  if (recorder.stats().recorded !== count) throw new Error(`recorder stored ${recorder.stats().recorded} of ${count}`);
  return count;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function runHistoryBench({ quick = false, backend = "sqlite" as Backend } = {}): Promise<HistoryBenchResult> {
  const days = quick ? 3 : 30;
  const recorderDays = quick ? 1 : 2;
  const dir = mkdtempSync(path.join(tmpdir(), "hearth-bench-"));
  const { store, close } = await openBenchStore(backend, dir);
  try {
    const now = Date.now();
    const start = now - days * DAY_MS;
    const recorderFrom = now - recorderDays * DAY_MS;

    let storeReadings = 0;
    const pending: Reading[][] = [];
    readingsBetween(start, recorderFrom, (b) => pending.push(b));
    let t0 = performance.now();
    for (const batch of pending) {
      await store.append(batch);
      storeReadings += batch.length;
    }
    const storeMs = performance.now() - t0;
    pending.length = 0;

    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    t0 = performance.now();
    const recorderReadings = await ingestThroughRecorder(store, recorderFrom, now);
    const recorderMs = performance.now() - t0;
    loop.disable();

    const config = loadConfig({}, dir).history;
    t0 = performance.now();
    const pruned = await store.prune(pruneCutoffs(now, config));
    const pruneMs = performance.now() - t0;

    const queries: HistoryBenchResult["queries"] = [];
    for (const [range, span] of [["24 h", DAY_MS], ["7 d", 7 * DAY_MS], ["30 d", 30 * DAY_MS]] as const) {
      for (const target of [topicOf(0), "home/+/temperature"]) {
        const req = { topic: target, from: now - span, to: now, points: POINTS };
        const times: number[] = [];
        let answer = await querySeries(store, req);
        for (let i = 0; i < QUERY_RUNS; i++) {
          const q0 = performance.now();
          answer = await querySeries(store, req);
          times.push(performance.now() - q0);
        }
        queries.push({
          range,
          target,
          tier: [...new Set(answer.map((s) => s.tier))].join(","),
          points: answer.reduce((n, s) => n + s.points.length, 0),
          medianMs: median(times),
        });
      }
    }
    return {
      section: "history",
      backend,
      at: new Date().toISOString(),
      quick,
      sensors: SENSORS,
      days,
      readings: storeReadings + recorderReadings,
      ingest: {
        recorderPerSec: Math.round(recorderReadings / (recorderMs / 1000)),
        recorderReadings,
        storePerSec: Math.round(storeReadings / (storeMs / 1000)),
        storeReadings,
      },
      loopDelayMs: { p99: Math.round(loop.percentile(99) / 1e5) / 10, max: Math.round(loop.max / 1e5) / 10 },
      prune: { ms: Math.round(pruneMs), rawRows: pruned.raw },
      ...(await store.size().then((size) => ({ bytesOnDisk: size.bytes, freeBytes: size.freeBytes }))),
      queries,
    };
  } finally {
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

export function printHistoryBench(r: HistoryBenchResult): void {
  const n = new Intl.NumberFormat("en");
  console.log(`\nHistory on ${r.backend}: ${r.sensors} sensors × ${r.days} days at one reading / 10 s = ${n.format(r.readings)} readings${r.quick ? " (quick)" : ""}`);
  console.table([
    { step: "ingest via broker + recorder", readings: n.format(r.ingest.recorderReadings), "per second": n.format(r.ingest.recorderPerSec) },
    { step: "ingest via store.append", readings: n.format(r.ingest.storeReadings), "per second": n.format(r.ingest.storePerSec) },
    { step: `prune (default retention)`, readings: n.format(r.prune.rawRows), "per second": `${n.format(r.prune.ms)} ms` },
  ]);
  console.log(`Event-loop delay during recorder ingest: p99 ${r.loopDelayMs.p99} ms, max ${r.loopDelayMs.max} ms`);
  console.log(
    `Database on disk after pruning: ${mib(r.bytesOnDisk)} MiB, of which ${mib(r.freeBytes)} MiB free pages that new rows reuse`,
  );
  console.table(
    r.queries.map((q) => ({ range: q.range, query: q.target, tier: q.tier, points: q.points, "median ms": q.medianMs.toFixed(2) })),
  );
}

export function saveResult(result: { section: string; at: string }): string {
  const dir = path.resolve(import.meta.dirname, "results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${result.section}-${result.at.replaceAll(":", "-")}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** SQLite and PostgreSQL side by side: the figures a site choosing between them compares. */
export function printHistoryComparison(results: readonly HistoryBenchResult[]): void {
  if (results.length < 2) return;
  const n = new Intl.NumberFormat("en");
  const column = (pick: (r: HistoryBenchResult) => string) => Object.fromEntries(results.map((r) => [r.backend, pick(r)]));
  const rows = [
    { measure: "ingest via broker + recorder (readings/s)", ...column((r) => n.format(r.ingest.recorderPerSec)) },
    { measure: "ingest via store.append (readings/s)", ...column((r) => n.format(r.ingest.storePerSec)) },
    { measure: "prune to default retention (ms)", ...column((r) => n.format(r.prune.ms)) },
    { measure: "on disk after pruning (MiB)", ...column((r) => mib(r.bytesOnDisk)) },
    ...results[0].queries.map((q, i) => ({
      measure: `${q.range} ${q.target} (median ms)`,
      ...column((r) => r.queries[i].medianMs.toFixed(2)),
    })),
  ];
  console.log(`\nHistory, side by side (${results[0].readings.toLocaleString("en")} readings each):`);
  console.table(rows);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const only = BACKENDS.filter((b) => process.argv.includes(`--${b}`));
  const results: HistoryBenchResult[] = [];
  for (const backend of only.length > 0 ? only : BACKENDS) {
    const result = await runHistoryBench({ quick: process.argv.includes("--quick"), backend });
    printHistoryBench(result);
    console.log(`\nwritten ${saveResult(result)}`);
    results.push(result);
  }
  printHistoryComparison(results);
}

// Section 1: publish → pixels. Readings go over TCP to the real hub at a steady
// 1,000 a second over 100 topics while a dashboard is open in Chromium; each one's
// latency runs from just before the publish to the moment its value (or a newer one
// of the same topic) is in the page's DOM. One frame, 16.7 ms, is the floor: the
// store draws once a frame. A few `mosquitto_pub` runs check the same path from a
// separate process. Then the same again while five other people open a room's 30-day
// chart over and over, from a day of readings of twenty sensors seeded into the hub
// before it starts (issue 13): first as the hub sees people on their own devices (one
// open each recorded in Chromium, then replayed by a child process), then as five
// Chromium contexts drawing on these same cores (the section's model before).
import { execFile } from "node:child_process";
import type { MqttClient } from "mqtt";
import { DAY_OF_READINGS, seededTopic, seedHistory } from "../e2e/seed-history";
import { launchBrowser } from "./lib/browser";
import { startChartBrowsers } from "./lib/chart-browsers";
import { startRemoteChartOpeners } from "./lib/remote-chart-openers";
import { openRig } from "./lib/dashboard-rig";
import { closeAll, connectMany } from "./lib/mqtt-load";
import { publishPaced, type Sent } from "./lib/paced";
import { takeShown, watchValues } from "./lib/page-probes";
import type { Row } from "./lib/report";
import { byMode, type Section, type SectionContext } from "./lib/section";
import { cpuTimeMs } from "./lib/proc";
import { startSplit, type Split } from "./lib/hub-split";
import { startCpuWait } from "./lib/cpu-wait";
import { connectInspector, type Inspector } from "./lib/inspector";
import { latencySummary, matchLatencies, summarize, type LatencySummary } from "./lib/stats";

const FRAME_MS = 1000 / 60;
const P99_BUDGET_MS = 25;
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const ROOMS = 20;
const MEASUREMENTS = ["temperature", "humidity", "pressure", "co2", "illuminance"];
const TOPICS = Array.from({ length: ROOMS }, (_, r) => MEASUREMENTS.map((m) => `home/px-${String(r).padStart(2, "0")}/${m}`)).flat();
const SPOT_TOPIC = "home/px-spot/temperature";
const CHART_NICE = Number(process.env.BENCH_CHART_NICE ?? 19);
/** "idle": the chart browsers under SCHED_IDLE, the only way their low priority holds (lib/browser.ts). */
// Other people's browsers are other machines in a home: by default they get only the
// cores the hub and the measured page leave (SCHED_IDLE; nice alone does not hold, lib/browser.ts).
// BENCH_CHART_SCHED=normal runs them as the third pass did, at Chromium's own priorities.
const CHART_IDLE = (process.env.BENCH_CHART_SCHED ?? "idle") === "idle";
/**
 * Which five other people the loaded reps run beside: "remote" (their requests, replayed; what
 * the hub serves for browsers on other devices), "local" (Chromium pages on these cores), or both.
 */
const CHART_MODELS = (process.env.BENCH_CHART_MODELS ?? "remote,local").split(",");
/** Diagnostics (issue 13): per-thread CPU, writes, broker loop delay, Chromium CPU per rep (lib/hub-split.ts). */
const SPLIT = process.env.BENCH_PIXELS_SPLIT === "1";
/** The rooms the other browsers chart: home/room-01 … of the seeded day. */
const CHART_ROOMS = Array.from({ length: 5 }, (_, i) => seededTopic(i).split("/")[1]);

function mosquittoPub(port: number, topic: string, value: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile("mosquitto_pub", ["-h", "127.0.0.1", "-p", String(port), "-t", topic, "-m", String(value)], { timeout: 10_000 }, (error) =>
      error ? reject(error) : resolve(),
    );
  });
}

async function run(ctx: SectionContext) {
  const reps = byMode(ctx, { full: 3, quick: 1, tiny: 1 });
  const measureMs = byMode(ctx, { full: 20_000, quick: 6_000, tiny: 3_000 });
  const warmupMs = byMode(ctx, { full: 3_000, quick: 2_000, tiny: 1_000 });
  const spotChecks = byMode(ctx, { full: 20, quick: 10, tiny: 3 });
  const loadedReps = byMode(ctx, { full: 3, quick: 1, tiny: 1 });
  const end = Date.now();
  const rig = await openRig({
    topics: [...TOPICS, SPOT_TOPIC],
    prefix: "home/px-",
    tag: "px",
    prepare: (dir) => void seedHistory(dir, { ...DAY_OF_READINGS, end }),
    nodeArgs: SPLIT ? ["--inspect=127.0.0.1:0"] : [],
  });
  const { hub, page } = rig;
  const clients = rig.publishers;
  const extra: MqttClient[] = [];
  let inspector: Inspector | null = null;
  try {
    if (SPLIT) inspector = await connectInspector(hub);
    await watchValues(page);
    // A TCP subscriber beside the page splits the latency: what the hub takes, and what the page adds.
    const [tap] = await connectMany(hub.mqttUrl, "px-tap", 1);
    extra.push(tap);
    await tap.subscribeAsync("home/+/+", { qos: 0 });
    let tapped: { topic: string; value: number; at: number }[] = [];
    tap.on("message", (topic, payload) => tapped.push({ topic, value: Number(payload), at: Date.now() }));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    const pageTaskSeconds = async () => {
      const { metrics } = await cdp.send("Performance.getMetrics");
      const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
      return { task: get("TaskDuration"), at: get("Timestamp") };
    };

    type Rep = { summary: LatencySummary; tcp: LatencySummary; missing: number; sent: number; hubCpuUsPerReading: number; pageBusy: number; split?: Split["raw"] };
    const reps_: Rep[] = [];
    const loaded: Rep[] = [];
    let firstValue = 1;
    const measure = async (label: string): Promise<Rep> => {
      const sent: Sent[] = [];
      let measuring = false;
      let cpu0 = NaN;
      let page0 = { task: NaN, at: NaN };
      const split: { started?: ReturnType<typeof startSplit>; wait?: ReturnType<typeof startCpuWait> } = {};
      const warm = setTimeout(() => {
        measuring = true;
        tapped = [];
        cpu0 = cpuTimeMs(hub!.pid);
        void pageTaskSeconds().then((m) => (page0 = m));
        if (SPLIT) split.started = startSplit(hub.pid, inspector);
        if (SPLIT) split.wait = startCpuWait(hub.pid);
      }, warmupMs);
      const result = await publishPaced({
        clients,
        topics: TOPICS,
        rate: RATE,
        durationMs: warmupMs + measureMs,
        firstValue,
        onSend: (s) => measuring && sent.push(s),
      });
      clearTimeout(warm);
      const hubCpuUsPerReading = ((cpuTimeMs(hub.pid) - cpu0) * 1000) / sent.length;
      const page1 = await pageTaskSeconds();
      const waitResult = split.wait?.stop();
      const splitResult = split.started ? await (await split.started).stop() : null;
      if (splitResult) ctx.log(`    split: ${splitResult.line}`);
      if (waitResult) ctx.log(`    cores: ${waitResult.line}`);
      const pageBusy = ((page1.task - page0.task) / (page1.at - page0.at)) * 100;
      firstValue += Math.ceil(result.sent / TOPICS.length) + 1;
      await new Promise((r) => setTimeout(r, 1000)); // the last ones reach the page
      const { latencies, missing } = matchLatencies(sent, await takeShown(page));
      const summary = latencySummary(latencies);
      const tcp = latencySummary(matchLatencies(sent, tapped).latencies);
      ctx.log(
        `  ${label}: p50 ${summary.p50} ms, p95 ${summary.p95}, p99 ${summary.p99}, max ${summary.max} (${sent.length} readings, ${missing} not shown); ` +
          `TCP subscriber p50 ${tcp.p50} p99 ${tcp.p99}; hub ${hubCpuUsPerReading.toFixed(0)} µs CPU/reading; page main thread ${pageBusy.toFixed(0)} % busy`,
      );
      return { summary, tcp, missing, sent: sent.length, hubCpuUsPerReading, pageBusy, split: splitResult ? { ...splitResult.raw, cores: waitResult?.raw } : undefined };
    };
    for (let rep = 0; rep < reps; rep++) reps_.push(await measure(`rep ${rep + 1}`));
    // The five other people, first as the hub sees them from their own devices (their
    // requests and WebSocket frames, replayed by a child process: lib/remote-chart-openers.ts), which
    // the budget row holds; then as Chromium pages drawn on these same two cores under
    // SCHED_IDLE (lib/chart-browsers.ts), the section's model before, kept beside it.
    const remoteLoaded: Rep[] = [];
    let remoteChartMs: number[] = [];
    if (CHART_MODELS.includes("remote")) {
      const recorder = await launchBrowser();
      const openers = await startRemoteChartOpeners(recorder, hub.httpUrl!, CHART_ROOMS);
      await recorder.close();
      ctx.log(`  one remote chart open: ${openers.describe()}`);
      try {
        for (let rep = 0; rep < loadedReps; rep++) remoteLoaded.push(await measure(`rep ${rep + 1}, 5 people opening 30-day charts on their own devices`));
      } finally {
        let refused: string[];
        ({ chartMs: remoteChartMs, socketErrors: refused } = await openers.stop());
        if (refused.length > 0) ctx.log(`  /mqtt refused ${refused.length} times to the replayed openers: ${refused[0]}`);
      }
    }
    let chartMs: number[] = [];
    if (CHART_MODELS.includes("local")) {
      // The other people's browsers run niced (BENCH_CHART_NICE, 0 = as the measured page):
      // in a home they are other devices, and their drawing is not the hub's work.
      const chartBrowser = CHART_NICE > 0 || CHART_IDLE ? await launchBrowser({ nice: CHART_NICE, idle: CHART_IDLE }) : rig.browser;
      const charting = await startChartBrowsers(chartBrowser, hub.httpUrl!, CHART_ROOMS);
      try {
        for (let rep = 0; rep < loadedReps; rep++) loaded.push(await measure(`rep ${rep + 1}, 5 browsers on this machine opening 30-day charts`));
      } finally {
        ({ chartMs } = await charting.stop());
        if (chartBrowser !== rig.browser) await chartBrowser.close();
      }
    }

    // mosquitto_pub, one process per reading, under the same steady load.
    const spot: number[] = [];
    const spotSent: Sent[] = [];
    const load = publishPaced({ clients, topics: TOPICS, rate: RATE, durationMs: spotChecks * 250 + 2_000, firstValue });
    for (let i = 1; i <= spotChecks; i++) {
      const at = Date.now();
      spotSent.push({ topic: SPOT_TOPIC, value: i, at });
      await mosquittoPub(hub.mqttPort, SPOT_TOPIC, i);
      await new Promise((r) => setTimeout(r, 200));
    }
    await load;
    spot.push(...matchLatencies(spotSent, await takeShown(page)).latencies);
    const spotSummary = latencySummary(spot);
    ctx.log(`  mosquitto_pub: p50 ${spotSummary.p50} ms, max ${spotSummary.max} (${spot.length}/${spotChecks} shown)`);

    const rows: Row[] = [];
    const section = "publish → pixels (1,000 readings/s over 100 topics, mqtt.js over TCP → DOM in Chromium)";
    const frame = { name: "1 frame", value: FRAME_MS };
    for (const key of ["p50", "p95", "p99", "max"] as const) {
      const value = summarize(reps_.map((r) => r.summary[key]));
      rows.push({
        section,
        figure: `latency ${key}`,
        unit: "ms",
        value,
        references: [{ ...frame, ratio: value.median / FRAME_MS }],
        budget: key === "p99" ? { text: `< ${P99_BUDGET_MS} ms`, met: value.median < P99_BUDGET_MS } : undefined,
      });
    }
    rows.push(
      {
        section,
        figure: "publish → TCP subscriber p99 (the hub's part)",
        unit: "ms",
        value: summarize(reps_.map((r) => r.tcp.p99)),
        note: `p50 ${summarize(reps_.map((r) => r.tcp.p50)).median} ms: a mqtt.js subscriber beside the page`,
      },
      { section, figure: "hub CPU per reading", unit: "µs", value: summarize(reps_.map((r) => r.hubCpuUsPerReading)) },
      { section, figure: "page main thread busy", unit: "%", value: summarize(reps_.map((r) => r.pageBusy)) },
    );
    const loadedRows = (reps: Rep[], label: string, budget: boolean) => {
      if (reps.length === 0) return;
      for (const key of ["p50", "p99", "max"] as const) {
        const value = summarize(reps.map((r) => r.summary[key]));
        rows.push({
          section,
          figure: `latency ${key}, ${label}`,
          unit: "ms",
          value,
          references: [{ ...frame, ratio: value.median / FRAME_MS }],
          budget: budget && key === "p99" ? { text: `< ${P99_BUDGET_MS} ms`, met: value.median < P99_BUDGET_MS } : undefined,
        });
      }
      rows.push({ section, figure: `publish → TCP subscriber p99, ${label}`, unit: "ms", value: summarize(reps.map((r) => r.tcp.p99)) });
      rows.push({ section, figure: `page main thread busy, ${label}`, unit: "%", value: summarize(reps.map((r) => r.pageBusy)) });
    };
    loadedRows(remoteLoaded, "5 people opening 30-day charts (own devices)", true);
    loadedRows(loaded, `5 browsers opening 30-day charts (this machine${CHART_IDLE ? ", SCHED_IDLE" : ""})`, !CHART_MODELS.includes("remote"));
    for (const [ms, who] of [
      [remoteChartMs, "the 5 people's chart opens (requests replayed: page, 24 h and 30 d series, /mqtt)"],
      [chartMs, `charts opened in Chromium on this machine (page load, 30 d picked, drawn); those browsers ${CHART_IDLE ? "under SCHED_IDLE" : CHART_NICE > 0 ? `at nice ${CHART_NICE}, which Chromium overrides (lib/browser.ts)` : "in the measured page's Chromium"}`],
    ] as const) {
      if (ms.length === 0) continue;
      const charts = latencySummary([...ms]);
      rows.push({ section, figure: `30-day chart open p50, ${ms === remoteChartMs ? "own devices" : "this machine"}`, unit: "ms", value: summarize([charts.p50]), note: `${ms.length} ${who}, max ${Math.round(charts.max)} ms` });
    }
    const all = [...reps_, ...remoteLoaded, ...loaded];
    const missing = all.reduce((n, r) => n + r.missing, 0);
    rows.push({
      section,
      figure: "readings never shown",
      unit: "",
      value: summarize(all.map((r) => r.missing)),
      note: missing > 0 ? "a reading counts as shown when it or a newer one of its topic is in the DOM" : undefined,
    });
    rows.push({
      section,
      figure: "mosquitto_pub spot check p50",
      unit: "ms",
      value: summarize([spotSummary.p50]),
      references: [{ ...frame, ratio: spotSummary.p50 / FRAME_MS }],
      note: `${spot.length} of ${spotChecks} shown, max ${spotSummary.max} ms; includes starting mosquitto_pub and its connect`,
    });
    return { rows, raw: { rate: RATE, topics: TOPICS.length, warmupMs, measureMs, reps: reps_, remoteLoadedReps: remoteLoaded, loadedReps: loaded, remoteChartMs, chartMs, mosquittoPub: spot } };
  } finally {
    inspector?.close();
    await closeAll(extra);
    await rig.dispose();
  }
}

export const pixelsSection: Section = { id: "pixels", title: "Publish → pixels", run };

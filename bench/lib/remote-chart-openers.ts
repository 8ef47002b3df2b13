// Five other people opening 30-day charts on their own devices (issue 13, P4), as the hub
// sees them: what a real browser asks of the hub for one chart open — the room page, the
// 24 h series, the 30 d series, its /mqtt WebSocket with the frames the page sends — recorded
// once per person in Chromium, then replayed by a child process over and over, reading every
// answer to its end. In a home the other people's pages are drawn on their phones and laptops,
// not on the hub's two cores; `lib/chart-browsers.ts` draws them here (under SCHED_IDLE), which
// measures the bench machine's scheduler as much as the hub. Static files (/_next/static) are
// left out: a browser that opens a chart over and over has them cached, as chart-browsers'
// pages do. How often each person opens is the caller's pace (lib/people-pace.ts): back to
// back (the storm, a stress row) or in rounds, all five together, at a human pace (the budget
// row). Their devices' own CPU (sending, reading answers) is not the hub's: the replay runs
// under SCHED_IDLE unless told otherwise. Bounded by the caller's stop().
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Request } from "playwright-core";
import WebSocket from "ws";
import { openDashboard } from "./browser";
import type { Open, Pace } from "./people-pace";

type Recorded = { url: string; method: string; headers: Record<string, string>; body: Buffer | null };
type Opening = { requests: Recorded[]; socket: { url: string; headers: Record<string, string>; frames: Buffer[] } | null };

const CHART_TIMEOUT_MS = 60_000;
const SKIP = /\/_next\/static\/|\/sw\.js|\/manifest|\.(?:ico|png|svg|woff2?)(?:\?|$)/;

/** One chart open in Chromium, as chart-browsers.ts does it, with every request and WebSocket frame the page sent. */
async function record(browser: Browser, hubUrl: string, room: string): Promise<Opening> {
  const page = await openDashboard(browser, hubUrl);
  try {
    const requests: Request[] = [];
    const opening: Opening = { requests: [], socket: null };
    // The hub's own URLs only: not blob: (mqtt.js's timer worker) or data:.
    const origin = new URL(hubUrl).origin;
    page.on("request", (r) => r.url().startsWith(`${origin}/`) && !SKIP.test(r.url()) && requests.push(r));
    page.on("websocket", (ws) => {
      if (!ws.url().endsWith("/mqtt")) return;
      const frames: Buffer[] = [];
      opening.socket = { url: ws.url(), headers: {}, frames };
      ws.on("framesent", (f) => frames.push(typeof f.payload === "string" ? Buffer.from(f.payload) : f.payload));
    });
    await page.goto(new URL(`/rooms/${encodeURIComponent(room)}`, hubUrl).href);
    await page.locator('[data-testid=history-chart][data-range="24h"][data-state=ready]').first().waitFor({ timeout: CHART_TIMEOUT_MS });
    await page.locator('button[data-range="30d"]').first().click({ timeout: CHART_TIMEOUT_MS });
    await page.locator('[data-testid=history-chart][data-range="30d"][data-state=ready] .recharts-line-curve').first().waitFor({ timeout: CHART_TIMEOUT_MS });
    await page.waitForTimeout(500); // the page's last subscriptions
    for (const r of requests) opening.requests.push({ url: r.url(), method: r.method(), headers: await r.allHeaders(), body: r.postDataBuffer() });
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    if (opening.socket) opening.socket.headers = { cookie, origin: new URL(hubUrl).origin };
    return opening;
  } finally {
    await page.context().close();
  }
}

function dropPseudo(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !k.startsWith(":") && k !== "host" && k !== "content-length"));
}

/** The recorded WebSocket: opened, the page's frames sent (CONNECT, SUBSCRIBEs), kept open until `done`; resolves with its error, if any. */
function openSocket(socket: NonNullable<Opening["socket"]>, done: Promise<void>): Promise<Error | null> {
  return new Promise((resolve) => {
    let failed: Error | null = null;
    const ws = new WebSocket(socket.url, ["mqtt"], { headers: socket.headers });
    ws.once("error", (error) => (failed = error));
    ws.once("open", () => {
      for (const f of socket.frames) ws.send(f);
      void done.then(() => ws.close());
    });
    ws.on("message", () => {}); // retained states, SUBACKs: read and dropped, as a page would parse them
    ws.once("close", () => resolve(failed));
  });
}

/** One open: the recorded requests in order, every answer read to its end, the socket open meanwhile. */
async function openOnce(opening: Opening, socketErrors: string[]): Promise<number> {
  const t0 = performance.now();
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const socket = opening.socket ? openSocket(opening.socket, done) : Promise.resolve(null);
  try {
    for (const r of opening.requests) {
      const res = await fetch(r.url, { method: r.method, headers: dropPseudo(r.headers), body: r.body ? new Uint8Array(r.body) : undefined, redirect: "manual" });
      await res.arrayBuffer();
    }
  } finally {
    finish();
  }
  const error = await socket;
  if (error) socketErrors.push(error.message);
  return performance.now() - t0;
}

/** Waits until `at` (Date.now()) or until `stopped` settles, whichever comes first. */
function sleepUntil(at: number, stopped: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, at - Date.now())))), stopped]).finally(() => clearTimeout(timer));
}

type Stopped = { done: boolean; promise: Promise<void> };

/** Replays one person's chart opens at `pace` until `stopped`; each open goes to `out.opens`, each round it ran past to `out.missedRounds`. */
async function replay(person: number, opening: Opening, pace: Pace, stopped: Stopped, out: ReplayResult): Promise<void> {
  let round = pace.kind === "rounds" ? Math.max(0, Math.ceil((Date.now() - pace.epochMs) / pace.periodMs)) : 0;
  while (!stopped.done) {
    if (pace.kind === "rounds") {
      await sleepUntil(pace.epochMs + round * pace.periodMs, stopped.promise);
      if (stopped.done) return;
    }
    const at = Date.now();
    out.opens.push({ person, at, ms: await openOnce(opening, out.socketErrors) });
    if (pace.kind === "rounds") {
      // The next round that has not started yet; the ones this open ran past are missed.
      const next = Math.max(round + 1, Math.ceil((Date.now() - pace.epochMs) / pace.periodMs));
      out.missedRounds += next - round - 1;
      round = next;
    }
  }
}

export type Recording = { openings: Opening[]; describe(): string };

/** One chart open per room, recorded in `browser` (a real Chromium: what a person's browser asks of the hub). */
export async function recordChartOpens(browser: Browser, hubUrl: string, rooms: readonly string[]): Promise<Recording> {
  const openings: Opening[] = [];
  for (const room of rooms) openings.push(await record(browser, hubUrl, room));
  return {
    openings,
    describe: () => `${openings[0]?.requests.map((r) => `${r.method} ${new URL(r.url).pathname}`).join(", ")}${openings[0]?.socket ? `, /mqtt (${openings[0].socket.frames.length} frames)` : ""}`,
  };
}

export type ReplayResult = { opens: Open[]; socketErrors: string[]; missedRounds: number };

/**
 * Replays `recording` (one person per opening) at `pace` from a child process of its own:
 * the other people's side of it (sending, reading answers) is their devices' work, and in
 * this process it stalled the publishers' and the TCP subscriber's event loop (bench process
 * loop delay p99 4 → 11 ms, max 79 ms, bench/README.md). `idle` (the default) starts that
 * child under SCHED_IDLE (`chrt --idle 0`, as lib/browser.ts does for the chart browsers): it
 * then runs only on a core nothing else wants, as the people's phones are cores the hub does
 * not have. Its open times include any wait for such a core, so they are upper bounds of what
 * the hub took; the hub's own work for them (pages, series, /mqtt) runs in the hub as ever.
 */
export function startReplay(recording: Recording, pace: Pace, opts: { idle?: boolean } = {}) {
  const { openings } = recording;
  const file = path.join(mkdtempSync(path.join(tmpdir(), "hearth-bench-openers-")), "openings.json");
  writeFileSync(file, JSON.stringify(openings.map((o) => ({ ...o, requests: o.requests.map((r) => ({ ...r, body: r.body?.toString("base64") ?? null })), socket: o.socket && { ...o.socket, frames: o.socket.frames.map((f) => f.toString("base64")) } }))));
  const node = [process.execPath, "--import", "tsx", fileURLToPath(import.meta.url), file, JSON.stringify(pace)];
  const idle = opts.idle ?? true;
  // chrt execs node, so the child's pid is node's own (for lib/cpu-wait.ts's groups).
  const child = idle ? spawn("chrt", ["--idle", "0", ...node], { stdio: ["pipe", "pipe", "inherit"] }) : spawn(node[0], node.slice(1), { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  // Its first line says it is loaded and replaying (tsx's start-up, under SCHED_IDLE on a busy
  // machine, took over 3 s once: a rep measured before then saw no opens at all).
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d) => {
      out += d;
      if (out.includes("\n")) resolve();
    });
    void exited.then((code) => reject(new Error(`the chart openers' process exited with ${code} before it started`)));
  });
  return {
    pid: child.pid!,
    idle,
    /** Resolves once the child replays (rounds: waits for its next round). */
    ready,
    /** Ends the loops after each one's current open (closing the child's stdin); throws what failed. */
    async stop(): Promise<ReplayResult> {
      child.stdin.end();
      const timer = setTimeout(() => child.kill(), 60_000);
      const code = await exited;
      clearTimeout(timer);
      rmSync(path.dirname(file), { recursive: true, force: true });
      if (code !== 0) throw new Error(`the chart openers' process exited with ${code}`);
      return JSON.parse(out.slice(out.indexOf("\n") + 1)) as ReplayResult;
    },
  };
}

/** The child: `node --import tsx remote-chart-openers.ts <openings.json> <pace JSON>`; stops when its stdin closes, prints what it measured. */
async function main(file: string, paceJson: string): Promise<void> {
  type Stored = Omit<Opening, "requests" | "socket"> & { requests: (Omit<Recorded, "body"> & { body: string | null })[]; socket: (Omit<NonNullable<Opening["socket"]>, "frames"> & { frames: string[] }) | null };
  const stored = JSON.parse(readFileSync(file, "utf8")) as Stored[];
  const openings: Opening[] = stored.map((o) => ({
    requests: o.requests.map((r) => ({ ...r, body: r.body === null ? null : Buffer.from(r.body, "base64") })),
    socket: o.socket && { ...o.socket, frames: o.socket.frames.map((f) => Buffer.from(f, "base64")) },
  }));
  const pace = JSON.parse(paceJson) as Pace;
  let stop!: () => void;
  const stopped: Stopped = { done: false, promise: new Promise<void>((r) => (stop = r)) };
  process.stdin
    .on("end", () => {
      stopped.done = true;
      stop();
    })
    .resume();
  const out: ReplayResult = { opens: [], socketErrors: [], missedRounds: 0 };
  process.stdout.write("replaying\n");
  await Promise.all(openings.map((o, person) => replay(person, o, pace, stopped, out)));
  process.stdout.write(JSON.stringify(out));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv[2], process.argv[3]).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

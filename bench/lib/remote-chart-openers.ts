// Five other people opening 30-day charts on their own devices (issue 13, P4), as the hub
// sees them: what a real browser asks of the hub for one chart open — the room page, the
// 24 h series, the 30 d series, its /mqtt WebSocket with the frames the page sends — recorded
// once per person in Chromium, then replayed from this process over and over, reading every
// answer to its end. In a home the other people's pages are drawn on their phones and laptops,
// not on the hub's two cores; `lib/chart-browsers.ts` draws them here (under SCHED_IDLE), which
// measures the bench machine's scheduler as much as the hub. Static files (/_next/static) are
// left out: a browser that opens a chart over and over has them cached, as chart-browsers'
// pages do. Bounded by the caller's stop().
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Request } from "playwright-core";
import WebSocket from "ws";
import { openDashboard } from "./browser";

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

/** Replays one person's chart opens until `running()` is false; each open's time goes to `chartMs`. */
async function replay(opening: Opening, running: () => boolean, chartMs: number[], socketErrors: string[]): Promise<void> {
  while (running()) {
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
    chartMs.push(performance.now() - t0);
  }
}

/**
 * Records one chart open per room in `browser`, then replays them from a child process of
 * their own: the other people's side of it (sending, reading answers) is their devices' work,
 * and in this process it stalled the publishers' and the TCP subscriber's event loop
 * (bench process loop delay p99 4 → 11 ms, max 79 ms, bench/README.md).
 */
export async function startRemoteChartOpeners(browser: Browser, hubUrl: string, rooms: readonly string[]) {
  const openings: Opening[] = [];
  for (const room of rooms) openings.push(await record(browser, hubUrl, room));
  const file = path.join(mkdtempSync(path.join(tmpdir(), "hearth-bench-openers-")), "openings.json");
  writeFileSync(file, JSON.stringify(openings.map((o) => ({ ...o, requests: o.requests.map((r) => ({ ...r, body: r.body?.toString("base64") ?? null })), socket: o.socket && { ...o.socket, frames: o.socket.frames.map((f) => f.toString("base64")) } }))));
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), file], { stdio: ["pipe", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  return {
    /** What one open asks of the hub, for the log. */
    describe: () => `${openings[0]?.requests.map((r) => `${r.method} ${new URL(r.url).pathname}`).join(", ")}${openings[0]?.socket ? `, /mqtt (${openings[0].socket.frames.length} frames)` : ""}`,
    /** Ends the loops after each one's current open (closing the child's stdin); throws what failed. */
    async stop(): Promise<{ chartMs: number[]; socketErrors: string[] }> {
      child.stdin.end();
      const timer = setTimeout(() => child.kill(), 60_000);
      const code = await exited;
      clearTimeout(timer);
      rmSync(path.dirname(file), { recursive: true, force: true });
      if (code !== 0) throw new Error(`the chart openers' process exited with ${code}`);
      return JSON.parse(out) as { chartMs: number[]; socketErrors: string[] };
    },
  };
}

/** The child: `node --import tsx remote-chart-openers.ts <openings.json>`; stops when its stdin closes, prints what it measured. */
async function main(file: string): Promise<void> {
  type Stored = Omit<Opening, "requests" | "socket"> & { requests: (Omit<Recorded, "body"> & { body: string | null })[]; socket: (Omit<NonNullable<Opening["socket"]>, "frames"> & { frames: string[] }) | null };
  const stored = JSON.parse(readFileSync(file, "utf8")) as Stored[];
  const openings: Opening[] = stored.map((o) => ({
    requests: o.requests.map((r) => ({ ...r, body: r.body === null ? null : Buffer.from(r.body, "base64") })),
    socket: o.socket && { ...o.socket, frames: o.socket.frames.map((f) => Buffer.from(f, "base64")) },
  }));
  let running = true;
  process.stdin.on("end", () => (running = false)).resume();
  const chartMs: number[] = [];
  const socketErrors: string[] = [];
  await Promise.all(openings.map((o) => replay(o, () => running, chartMs, socketErrors)));
  process.stdout.write(JSON.stringify({ chartMs, socketErrors }));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv[2]).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

// The web thread's hub parts are opened once per thread and closed with it (issue 13):
// over real SQLite files and a real MessageChannel to the hub's side (serveApi).
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { MessageChannel } from "node:worker_threads";
import type { HubApi, WebInfo } from "../lib/hub-api";
import { openSqliteHistory } from "../lib/history/sqlite-store";
import type { Logger } from "../lib/log";
import { openWebHub } from "./open-web-hub";
import { serveApi } from "./web-thread";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const dir = mkdtempSync(path.join(tmpdir(), "hearth-web-hub-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const historyFile = path.join(dir, "history.sqlite");
// The hub creates and migrates the file before its web thread starts.
const writer = openSqliteHistory(historyFile);
await writer.append([{ topic: "home/attic/temperature", room: "attic", measurement: "temperature", value: 21.5, unit: "°C", ts: 1_000 }]);
after(() => writer.close());

const info = { startedAt: 1 } as WebInfo;
test("reads history and accounts, asks the hub over the port, and closes all of it", async () => {
  const { port1, port2 } = new MessageChannel();
  serveApi(port1, { sessions: { drop: (hash: string) => void hash, ended: () => [] } } as unknown as HubApi, quiet);
  const web = await openWebHub({ info, files: { history: { kind: "sqlite", file: historyFile }, accounts: { kind: "sqlite", file: path.join(dir, "accounts.sqlite") } }, port: port2 }, quiet);
  assert.deepEqual(await web.hub.history.topics(), [{ topic: "home/attic/temperature", unit: "°C" }]);
  assert.equal(await web.hub.accounts.userCount(), 0);
  assert.equal(await web.hub.sessions.drop("h1", "s1"), undefined);
  await assert.rejects(web.hub.alerts.rules(), /no hub method alerts\.rules/);

  const pending = web.hub.sessions.drop("h2", null); // asked just as the thread shuts down
  await web.close();
  await assert.rejects(pending, /shutting down/);
  await assert.rejects(web.hub.history.topics(), /not open/);
  await assert.rejects(web.hub.accounts.userCount(), /not open/);
  port1.close();
});

test("with reader threads, history is read on them, and closing the web hub's parts ends every one", async () => {
  const osThreads = () => readdirSync("/proc/self/task").length;
  await stat(historyFile); // libuv's pool up, so it is not counted as a reader
  const before = osThreads();
  const { port1, port2 } = new MessageChannel();
  serveApi(port1, { sessions: { ended: () => [] } } as unknown as HubApi, quiet);
  const files = { history: { kind: "sqlite", file: historyFile, readerThreads: 2 }, accounts: { kind: "sqlite", file: path.join(dir, "accounts.sqlite") } } as const;
  const web = await openWebHub({ info, files, port: port2 }, quiet);
  const series = { topic: "home/attic/temperature", from: 0, to: 2_000, maxPoints: 10 };
  const reads = await Promise.all([web.hub.history.topics(), web.hub.history.query(series), web.hub.history.latest()]);
  assert.deepEqual(reads[0], [{ topic: "home/attic/temperature", unit: "°C" }]);
  assert.deepEqual(reads[1].points, [{ t: 1_000, v: 21.5 }]);
  assert.ok(osThreads() > before, "the reads ran on threads of their own");
  await web.close();
  assert.equal(osThreads(), before, "no reader thread is left");
  await assert.rejects(web.hub.history.topics(), /not open/);
  port1.close();
});

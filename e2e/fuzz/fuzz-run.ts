// Throws the fuzzer's connections at a broker: TCP to its MQTT port and WebSocket to
// its /mqtt, a few at a time, each writing its packets and closing. Bounded in count
// (`packets`) and in time (`deadlineMs`); deterministic in what it sends (`seed`).
// Between batches it calls `checkpoint`, where the caller checks that a well-behaved
// client is still served and reports progress.
import { connect as tcpConnect } from "node:net";
import WebSocket from "ws";
import { fuzzConnection } from "./packets";
import { prng } from "../prng";

export type FuzzProgress = { packets: number; connections: number; tcp: number; ws: number; elapsedMs: number };

export type FuzzOptions = {
  tcpPort: number;
  wsUrl: string;
  packets: number;
  seed: number;
  packetsPerConnection?: number;
  concurrency?: number;
  /** The share of connections made over WebSocket. */
  wsShare?: number;
  /** Stop early (the result says how far it got) rather than run past this. */
  deadlineMs: number;
  checkpointEvery?: number;
  checkpoint?(progress: FuzzProgress): Promise<void>;
};

/** How long one connection may stay open after its last packet before it is cut. */
const LINGER_MS = 2_000;

function overTcp(port: number, packets: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ port, host: "127.0.0.1", noDelay: true }, () => {
      for (const p of packets) if (!socket.destroyed) socket.write(p);
      socket.end();
    });
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    socket.on("error", () => {});
    socket.resume();
    socket.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function overWebSocket(url: string, packets: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, ["mqtt"]);
    const timer = setTimeout(() => ws.terminate(), LINGER_MS);
    ws.on("open", () => {
      for (const p of packets) if (ws.readyState === WebSocket.OPEN) ws.send(p);
      ws.close();
    });
    ws.on("error", () => {});
    ws.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzProgress> {
  const perConnection = options.packetsPerConnection ?? 20;
  const concurrency = options.concurrency ?? 16;
  const checkpointEvery = options.checkpointEvery ?? 50;
  const random = prng(options.seed);
  const started = Date.now();
  const progress: FuzzProgress = { packets: 0, connections: 0, tcp: 0, ws: 0, elapsedMs: 0 };
  let sinceCheckpoint = 0;
  while (progress.packets < options.packets && Date.now() - started < options.deadlineMs) {
    const batch: Promise<void>[] = [];
    for (let i = 0; i < concurrency && progress.packets < options.packets; i++) {
      const { packets } = fuzzConnection(random, Math.min(perConnection, options.packets - progress.packets));
      const overWs = random.chance(options.wsShare ?? 0.3);
      batch.push(overWs ? overWebSocket(options.wsUrl, packets) : overTcp(options.tcpPort, packets));
      progress.packets += packets.length;
      progress.connections += 1;
      progress[overWs ? "ws" : "tcp"] += 1;
    }
    await Promise.all(batch);
    sinceCheckpoint += batch.length;
    progress.elapsedMs = Date.now() - started;
    if (sinceCheckpoint >= checkpointEvery || progress.packets >= options.packets) {
      sinceCheckpoint = 0;
      await options.checkpoint?.({ ...progress });
    }
  }
  progress.elapsedMs = Date.now() - started;
  return progress;
}

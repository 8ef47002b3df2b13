// Developer tool: the heap that retained messages owed to new subscriptions hold (review-11
// F5). An in-process broker (memory store) with 3,000 retained configs; 200 MQTT 5 sessions
// with Receive Maximum 1 that never acknowledge (as a socket never read: one copy in flight,
// everything else owed), each subscribing `#`, `+/#`, `+/+/#`, `+/+/+/#` (2.4 million copies
// matched). Prints the heap after a forced GC before and after the sessions subscribe.
//   node --expose-gc --import tsx bench/tools/owed-heap.ts            # this tree's broker
//   OWED_TREE=/work/main node --expose-gc --import tsx bench/tools/owed-heap.ts   # another tree's
//   OWED_LIMIT=3000000 …   # a budget past what is matched: the cost of each owed copy
// Bounded: 200 connections, 3,000 messages, each wait at most WAIT_MS (test-clients.ts).
import { resolve } from "node:path";

const tree = resolve(process.env.OWED_TREE ?? ".");
const { startTestBroker } = (await import(`${tree}/broker/mqtt/test-server.ts`)) as typeof import("../../broker/mqtt/test-server");
const { rawConnected } = (await import(`${tree}/broker/mqtt/test-clients.ts`)) as typeof import("../../broker/mqtt/test-clients");

const SESSIONS = Number(process.env.OWED_SESSIONS ?? 200);
const CONFIGS = 3000;
const FILTERS = ["#", "+/#", "+/+/#", "+/+/+/#"];
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");
const heapMb = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1e6;
};

// OWED_LIMIT: the broker-wide budget (limits.maxOwedRetained; a tree without one ignores it).
const t = await startTestBroker(process.env.OWED_LIMIT ? { limits: { maxOwedRetained: Number(process.env.OWED_LIMIT) } as object } : {});
try {
  for (let i = 0; i < CONFIGS; i++) {
    const payload = JSON.stringify({ unique_id: `0x${i}_temperature_zigbee2mqtt`, state_topic: `zigbee2mqtt/Sensor ${i}`, pad: "x".repeat(1500) });
    await t.broker.publish({ topic: `homeassistant/sensor/0x${i}/config`, payload, qos: 1, retain: true });
  }
  const clients = [];
  for (let n = 0; n < 10; n++) clients.push(await rawConnected(t.port, 5, { clientId: `warm-${n}` })); // the client code paths warmed
  for (const c of clients.splice(0)) c.socket.destroy();
  const before = heapMb();
  for (let n = 0; n < SESSIONS; n++) {
    const c = await rawConnected(t.port, 5, { clientId: `hog-${n}`, properties: { receiveMaximum: 1 } });
    c.send({ cmd: "subscribe", messageId: 1, subscriptions: FILTERS.map((topic) => ({ topic, qos: 1 as const })) });
    await c.next("suback");
    clients.push(c);
  }
  await new Promise((r) => setTimeout(r, 200)); // the in-flight copies written
  const after = heapMb();
  const stats = t.broker.stats() as { owedRetained?: number; dropped: { queueFull: number } };
  console.log(
    JSON.stringify({
      tree,
      sessions: SESSIONS,
      matched: SESSIONS * FILTERS.length * CONFIGS,
      owed: stats.owedRetained ?? "(not counted)",
      refused: stats.dropped.queueFull,
      heapBeforeMb: Math.round(before),
      heapAfterMb: Math.round(after),
      sessionsCostMb: Math.round(after - before),
    }),
  );
  for (const c of clients) c.socket.destroy();
} finally {
  await t.close();
}

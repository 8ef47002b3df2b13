// Section 4: the hub's memory. RSS idle (started, the dashboard served once), with
// 1,000 idle devices connected (one QoS 1 subscription each, as a switch listens
// for commands), at the peak of a 10-second burst of readings, and a while after
// the burst has ended: does it come back down?
import type { MqttClient } from "mqtt";
import { closeAll, connectMany } from "./lib/mqtt-load";
import { peakRssMB, rssMB } from "./lib/proc";
import type { Row } from "./lib/report";
import { byMode, type Section, type SectionContext } from "./lib/section";
import { startAedes, startHub, type Server } from "./lib/servers";
import { ratio, summarize } from "./lib/stats";

const DEVICES = 1000;
const RSS_BUDGET_MB = 250;
const BURST_PUBLISHERS = 10;
/** Readings a burst publisher may have on the way at once. */
const WINDOW = 2_000;
const MEASUREMENTS = ["temperature", "humidity", "power"];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * QoS 0 readings as fast as the broker takes them, for `ms`: each publisher keeps at
 * most WINDOW readings not yet seen by a subscriber, so the burst ends when its time
 * does, with no backlog left in socket buffers. Returns how many were delivered.
 */
async function burst(publishers: MqttClient[], tap: MqttClient, ms: number): Promise<number> {
  const received = publishers.map(() => 0);
  tap.on("message", (topic) => {
    const index = Number(/^home\/burst-(\d+)\//.exec(topic)?.[1]);
    if (index >= 0 && index < received.length) received[index]++;
  });
  await tap.subscribeAsync("home/+/+", { qos: 0 });
  const end = performance.now() + ms;
  await Promise.all(
    publishers.map(async (client, c) => {
      let sent = 0;
      while (performance.now() < end) {
        if (sent - received[c] >= WINDOW) {
          await sleep(1);
          continue;
        }
        for (let k = 0; k < 100; k++, sent++) {
          client.publish(`home/burst-${c}/${MEASUREMENTS[sent % MEASUREMENTS.length]}`, (20 + (sent % 50) / 10).toFixed(1));
        }
        await new Promise((r) => setImmediate(r));
      }
    }),
  );
  await sleep(500); // the last window's worth arrives
  return received.reduce((a, b) => a + b, 0);
}

async function profile(server: Server, ctx: SectionContext) {
  const settleMs = byMode(ctx, { full: 3_000, quick: 1_000, tiny: 1_000 });
  const burstMs = byMode(ctx, { full: 10_000, quick: 5_000, tiny: 2_000 });
  const afterMs = byMode(ctx, { full: 15_000, quick: 3_000, tiny: 2_000 });
  const devices = byMode(ctx, { full: DEVICES, quick: DEVICES, tiny: 200 });
  const clients: MqttClient[] = [];
  // A broker that dies mid-way (plain aedes can overflow its stack in a burst) leaves
  // its figures from then on as NaN, with the reason, instead of losing the section.
  const read = (f: (pid: number) => number) => {
    try {
      return f(server.pid);
    } catch {
      return NaN;
    }
  };
  const result = { idle: NaN, withDevices: NaN, peak: NaN, after: NaN, devices, sent: 0, burstMs, afterMs, failure: null as string | null };
  try {
    if (server.httpUrl) await (await fetch(server.httpUrl)).text(); // Next loads the page's modules on first use
    await sleep(settleMs);
    result.idle = read(rssMB);
    const conns = await connectMany(server.mqttUrl, "dev", devices, 50);
    clients.push(...conns);
    await Promise.all(conns.map((c, i) => c.subscribeAsync(`home/dev-${i}/switch/set`, { qos: 1 })));
    await sleep(settleMs);
    result.withDevices = read(rssMB);
    const publishers = await connectMany(server.mqttUrl, "burst", BURST_PUBLISHERS);
    const [tap] = await connectMany(server.mqttUrl, "tap", 1);
    clients.push(...publishers, tap);
    result.sent = await burst(publishers, tap, burstMs);
    result.peak = read(peakRssMB);
    await closeAll([...publishers, tap]);
    await sleep(afterMs);
    result.after = read(rssMB);
  } catch (error) {
    result.failure = (error as Error).message;
  } finally {
    await closeAll(clients);
  }
  // The first error line the broker printed, if it printed one (a crash, an uncaught exception).
  const printed = /^(?:\w*Error|.*uncaught exception).*$/m.exec(server.output())?.[0];
  if (Number.isNaN(result.after) || printed) result.failure = [result.failure, printed].filter(Boolean).join("; ") || "the broker exited";
  const mb = (x: number) => (Number.isNaN(x) ? "–" : x.toFixed(0));
  ctx.log(
    `  ${server.name}: idle ${mb(result.idle)} MB, ${devices} devices ${mb(result.withDevices)} MB, burst peak ${mb(result.peak)} MB ` +
      `(${result.sent} readings), ${afterMs / 1000} s after ${mb(result.after)} MB${result.failure ? ` — ${result.failure}` : ""}`,
  );
  return result;
}

async function run(ctx: SectionContext) {
  const servers: Server[] = [];
  try {
    const aedes = await startAedes();
    servers.push(aedes);
    const ref = await profile(aedes, ctx);
    await aedes.stop();
    const hub = await startHub();
    servers.push(hub);
    const h = await profile(hub, ctx);
    const section = `memory: hub RSS (MB), aedes as reference`;
    const row = (figure: string, value: number, refValue: number, budget?: Row["budget"]): Row => ({
      section,
      figure,
      unit: "MB",
      value: summarize([value]),
      references: [{ name: "aedes", value: refValue, ratio: ratio(value, refValue) }],
      budget,
    });
    const rows: Row[] = [
      row("RSS idle", h.idle, ref.idle),
      row(`RSS with ${h.devices} idle devices`, h.withDevices, ref.withDevices, { text: `< ${RSS_BUDGET_MB} MB`, met: h.withDevices < RSS_BUDGET_MB }),
      row(`RSS peak in a ${h.burstMs / 1000} s burst`, h.peak, ref.peak),
      row(`RSS ${h.afterMs / 1000} s after the burst`, h.after, ref.after),
    ];
    const failures = [h, ref].filter((x) => x.failure).map((x) => `${x === h ? "hub" : "aedes"}: ${x.failure}`);
    rows[3].note = failures.length ? failures.join("; ") : undefined;
    rows[2].note = `burst: ${BURST_PUBLISHERS} publishers, QoS 0, as fast as the broker delivers (≤ ${WINDOW} in flight each); hub took ${h.sent} readings, aedes ${ref.sent}`;
    return { rows, raw: { hub: h, aedes: ref } };
  } finally {
    for (const s of servers) await s.stop();
  }
}

export const memorySection: Section = { id: "memory", title: "Hub memory", run };

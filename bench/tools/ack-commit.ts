// Developer tool (issue 12, the crash window): how many acknowledged readings per second
// the broker takes when every PUBACK / PUBREC waits for the commit that holds the
// broker's state and the reading's history row. In one process, on temp files, like the
// hub composes them: the broker with its SQLite store, the Bus, the recorder, SQLite
// history. Persistent mqtt.js publishers (clean=false, so inbound ids are stored), each
// with WINDOW publishes in flight. Run it under the lock:
//   flock /work/locks/heavy.lock node --import tsx bench/tools/ack-commit.ts [messages=20000] [qos=1] [reps=3]
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import mqtt from "mqtt";
import { createLocalBus } from "../../broker/local-bus";
import { createBroker } from "../../broker/mqtt/broker";
import { openHubStores } from "../../broker/hub-stores";
import { startRecorder } from "../../broker/recorder";
import { createLogger } from "../../lib/log";

const [messages = 20_000, qos = 1, reps = 3] = process.argv.slice(2).map(Number);
const PUBLISHERS = 10;
const WINDOW = 16;

async function once(): Promise<number> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "hearth-ack-commit-"));
  const log = createLogger("bench");
  const stores = await openHubStores({ dataDir, databaseUrl: null, durability: "normal" }, log);
  const bus = createLocalBus(log);
  const broker = await createBroker({ hooks: [bus], store: stores.broker, log });
  bus.attach(broker);
  const recorder = await startRecorder(bus, stores.history, { log });
  const server = createServer({ noDelay: true }, (socket) => broker.handle(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
  const clients = await Promise.all(
    Array.from({ length: PUBLISHERS }, (_, i) => mqtt.connectAsync(url, { clientId: `ack-${i}`, clean: false, reconnectPeriod: 0 })),
  );
  const per = Math.ceil(messages / PUBLISHERS);
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, c) => {
      let sent = 0;
      const lane = async () => {
        while (sent < per) {
          const i = sent++;
          await client.publishAsync(`home/bench${c}/temperature`, String(20 + (i % 100) / 10), { qos: qos as 1 | 2 });
        }
      };
      await Promise.all(Array.from({ length: WINDOW }, lane));
    }),
  );
  const elapsed = performance.now() - started;
  await Promise.all(clients.map((c) => c.endAsync()));
  await new Promise((resolve) => server.close(resolve));
  await broker.close();
  await recorder.stop();
  await stores.close();
  rmSync(dataDir, { recursive: true, force: true });
  return (per * PUBLISHERS) / (elapsed / 1000);
}

const rates: number[] = [];
for (let rep = 0; rep < reps; rep++) rates.push(await once());
rates.sort((a, b) => a - b);
console.log(`QoS ${qos}, ${PUBLISHERS} persistent publishers × window ${WINDOW}, ${messages} readings: ${rates.map((r) => Math.round(r)).join(", ")} msg/s (median ${Math.round(rates[rates.length >> 1])})`);

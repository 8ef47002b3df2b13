// Hearth's own broker (broker/mqtt) alone on a TCP port, no hooks, no recorder, no web
// thread: what the broker itself costs, beside the whole hub and plain aedes. Started as
// its own process so its CPU time and memory can be read from /proc. The store is the
// memory one, or with HEARTH_DATA_DIR the hub's SQLite one (every PUBACK after its commit).
import { createServer } from "node:net";
import path from "node:path";
import { createBroker } from "../../broker/mqtt/broker";
import { createMemoryStore } from "../../broker/mqtt/memory-store";
import { openSqliteBrokerStore } from "../../broker/mqtt/sqlite-store";

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port < 1) {
  process.stderr.write("engine-server: set PORT\n");
  process.exit(2);
}
const dataDir = process.env.HEARTH_DATA_DIR;
const store = dataDir ? openSqliteBrokerStore(path.join(dataDir, "broker.sqlite")) : createMemoryStore();
const broker = await createBroker({ store });
const server = createServer({ noDelay: true }, (socket) => broker.handle(socket));
server.listen(port, "127.0.0.1", () => process.stdout.write(`engine ready on ${port}\n`));
process.on("SIGTERM", () => {
  server.close();
  void broker
    .close()
    .then(() => store.close())
    .then(() => process.exit(0));
});

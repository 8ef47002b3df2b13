// Hearth's own broker (broker/mqtt) alone on a TCP port, in memory, no hooks: the
// engine's side of the comparison with plain aedes (lib/aedes-server.ts), started as
// its own process so its CPU time can be read from /proc. Issue 12's budgets.
import { createServer } from "node:net";
import { createBroker } from "../../broker/mqtt/broker";
import { createMemoryStore } from "../../broker/mqtt/memory-store";

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port < 1) {
  process.stderr.write("engine-server: set PORT\n");
  process.exit(2);
}
const broker = await createBroker({ store: createMemoryStore() });
const server = createServer({ noDelay: true }, (socket) => broker.handle(socket));
server.listen(port, "127.0.0.1", () => process.stdout.write(`engine ready on ${port}\n`));
process.on("SIGTERM", () => {
  server.close();
  void broker.close().then(() => process.exit(0));
});

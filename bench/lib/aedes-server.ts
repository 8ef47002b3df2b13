// The plain-aedes reference broker: aedes with its default options on a TCP port,
// nothing else. Started as its own process by servers.ts, like the other brokers,
// so its CPU time can be read from /proc apart from the load generator's.
import { createServer } from "node:net";
import { Aedes } from "aedes";

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port < 1) {
  process.stderr.write("aedes-server: set PORT\n");
  process.exit(2);
}
const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
server.listen(port, "127.0.0.1", () => process.stdout.write(`aedes ready on ${port}\n`));
process.on("SIGTERM", () => {
  server.close();
  broker.close(() => process.exit(0));
});

// A broker on a loopback port for tests (this folder's and the conformance suite's):
// TCP on 127.0.0.1, a free port, the memory store, no policy hooks unless given.
//   const { port, url, broker, close } = await startTestBroker({ limits: { maxQueuedMessages: 10 } });
import { createServer, type Socket } from "node:net";
import type { Logger } from "../../lib/log";
import { createBroker, type Broker, type BrokerOptions } from "./broker";
import { createMemoryStore } from "./memory-store";

export type TestBroker = { port: number; url: string; broker: Broker; close(): Promise<void> };

/** Tests read the broker's log lines rather than print them. */
export function quietLog(lines: string[] = []): Logger {
  const keep = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  };
  return { debug: () => {}, info: keep("info"), warn: keep("warn"), error: keep("error") };
}

export async function startTestBroker<P = undefined>(options: Partial<BrokerOptions<P>> = {}): Promise<TestBroker> {
  const broker = await createBroker<P>({ store: createMemoryStore(), log: quietLog(), ...options });
  const sockets = new Set<Socket>();
  const server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    broker,
    async close() {
      await broker.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

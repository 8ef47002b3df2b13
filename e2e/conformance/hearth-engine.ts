// Hearth's broker engine alone (broker/mqtt's startTestBroker), with a WebSocket
// listener at /mqtt beside it: the conformance suite's fast target while the engine
// is being written (CONFORMANCE_HEARTH=engine). The suite's real target is the hub.
import { createServer } from "node:http";
import { createWebSocketStream, WebSocketServer } from "ws";
import { startTestBroker } from "../../broker/mqtt/test-server";
import { ENGINE_LIMITS } from "./hearth-limits";


export async function startHearthEngine(): Promise<{ tcpPort: number; wsPort: number; stop(): Promise<void> }> {
  const engine = await startTestBroker({ limits: { maxKeepAliveSeconds: ENGINE_LIMITS.maxKeepAliveSeconds ?? 0 }, sysIntervalMs: 1_000 });
  const http = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true });
  http.on("upgrade", (req, socket, head) => {
    if (req.url !== "/mqtt") return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => engine.broker.handle(createWebSocketStream(ws), req));
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const wsPort = (http.address() as { port: number }).port;
  return {
    tcpPort: engine.port,
    wsPort,
    async stop() {
      for (const ws of wss.clients) ws.terminate();
      await engine.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

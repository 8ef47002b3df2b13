// Where each broker listens, as the cases see it: one target per transport.
import type { Broker, Target } from "./case";
import type { SuiteLimits } from "./hearth-limits";

export function targetsFor(broker: Broker, ports: { tcpPort: number; wsPort: number }, limits: SuiteLimits): Target[] {
  return (["tcp", "ws"] as const).map((transport) => {
    const port = transport === "tcp" ? ports.tcpPort : ports.wsPort;
    return {
      broker,
      transport,
      endpoint: { transport, host: "127.0.0.1", port, path: "/mqtt" },
      tcpPort: ports.tcpPort,
      url: transport === "tcp" ? `mqtt://127.0.0.1:${port}` : `ws://127.0.0.1:${port}/mqtt`,
      limits,
    };
  });
}

// Where each broker listens, as the cases see it: one target per transport.
import type { Broker, Target } from "./case";
import { MOSQUITTO_LIMITS } from "./mosquitto";
import { HEARTH_LIMITS } from "./hearth-limits";

const MAX_KEEP_ALIVE: Record<Broker, number> = { mosquitto: MOSQUITTO_LIMITS.maxKeepAlive, hearth: HEARTH_LIMITS.maxKeepAliveSeconds };

export function targetsFor(broker: Broker, ports: { tcpPort: number; wsPort: number }): Target[] {
  return (["tcp", "ws"] as const).map((transport) => {
    const port = transport === "tcp" ? ports.tcpPort : ports.wsPort;
    return {
      broker,
      transport,
      endpoint: { transport, host: "127.0.0.1", port, path: "/mqtt" },
      tcpPort: ports.tcpPort,
      url: transport === "tcp" ? `mqtt://127.0.0.1:${port}` : `ws://127.0.0.1:${port}/mqtt`,
      limits: { maxKeepAlive: MAX_KEEP_ALIVE[broker] },
    };
  });
}

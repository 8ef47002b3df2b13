// Mosquitto 2 (Debian's /usr/sbin/mosquitto), the reference the conformance suite
// compares Hearth with: started on free ports on 127.0.0.1 with a config written
// into a temporary folder, MQTT over TCP and over WebSocket, and stopped at the end.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, portOpen } from "../free-port";

export const MOSQUITTO = "/usr/sbin/mosquitto";

/** What the cases may read back from the reference's settings (server keep alive, limits). */
export const MOSQUITTO_LIMITS = { maxKeepAliveSeconds: 60, maxPacketBytes: 65_536, maxInflight: 10 } as const;

export type Mosquitto = { tcpPort: number; wsPort: number; output(): string; stop(): Promise<void> };

function config(dir: string, tcpPort: number, wsPort: number): string {
  return [
    // As root, Mosquitto drops to user "mosquitto", who cannot write our folder.
    ...(process.getuid?.() === 0 ? ["user root"] : []),
    "per_listener_settings false",
    "allow_anonymous true",
    "persistence false",
    `max_keepalive ${MOSQUITTO_LIMITS.maxKeepAliveSeconds}`,
    `max_packet_size ${MOSQUITTO_LIMITS.maxPacketBytes}`,
    `max_inflight_messages ${MOSQUITTO_LIMITS.maxInflight}`,
    // $SYS every second, so the $SYS case need not wait the default 10 s.
    "sys_interval 1",
    "log_dest stderr",
    "log_type error",
    "log_type warning",
    "log_type notice",
    `pid_file ${path.join(dir, "mosquitto.pid")}`,
    `listener ${tcpPort} 127.0.0.1`,
    "protocol mqtt",
    `listener ${wsPort} 127.0.0.1`,
    "protocol websockets",
    "",
  ].join("\n");
}

export async function startMosquitto(): Promise<Mosquitto> {
  const dir = mkdtempSync(path.join(tmpdir(), "hearth-mosquitto-"));
  const tcpPort = await freePort();
  const wsPort = await freePort();
  const file = path.join(dir, "mosquitto.conf");
  writeFileSync(file, config(dir, tcpPort, wsPort));
  let output = "";
  const child: ChildProcess = spawn(MOSQUITTO, ["-c", file], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready when both listeners accept; bounded so a broken install fails with its log.
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) break;
    if ((await portOpen(tcpPort)) && (await portOpen(wsPort))) return { tcpPort, wsPort, output: () => output, stop };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  throw new Error(`mosquitto did not start (${MOSQUITTO} -c ${file}):\n${output}`);
}

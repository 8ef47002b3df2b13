// Real upstream brokers for the external-broker tests (issue 14), each started on free
// ports on 127.0.0.1 with its files in a temporary folder, and stopped at the end:
//  - Mosquitto 2 (Debian's), as a Home Assistant household runs it: a password file
//    (mosquitto_passwd), plain MQTT and MQTT over TLS with a certificate of our own;
//  - a three-node NATS cluster (Debian's nats-server 2.9) with JetStream and MQTT on
//    every node, the distributed engine (MQTT 3.1.1 only, QoS 0/1).
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { freePort, portOpen } from "../e2e/free-port";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import mqtt from "mqtt";
import { generateCertificate } from "./generate-cert";

const run = promisify(execFile);
export const MOSQUITTO = "/usr/sbin/mosquitto";
export const NATS_SERVER = "/usr/sbin/nats-server";

type Proc = { child: ChildProcess; output(): string; stop(): Promise<void> };

function spawnLogged(command: string, args: string[]): Proc {
  let output = "";
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

/**
 * `count` distinct free ports, each this process's until it exits (e2e/free-port.ts): a broker
 * killed and started again on its port finds it still free (review-12 F8).
 */
async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  return ports;
}

/** Bounded: a broken install fails with its log instead of hanging the suite. */
async function until(what: string, ready: () => Promise<boolean>, proc: Proc, attempts = 200): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (proc.child.exitCode !== null) break;
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not become ready:\n${proc.output()}`);
}

export type UpstreamMosquitto = {
  port: number;
  tlsPort: number;
  /** The certificate the TLS listener presents (self-signed, so it is its own CA). */
  caFile: string;
  output(): string;
  /** Stops the process only (the folder stays), then `start` runs it again on the same ports. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
};

/** Mosquitto with a password file for `users`, no anonymous access, plain and TLS listeners; `settings`: more lines of its config. */
export async function startUpstreamMosquitto(users: Record<string, string>, settings: string[] = []): Promise<UpstreamMosquitto> {
  const dir = mkdtempSync(path.join(tmpdir(), "hearth-upstream-mosquitto-"));
  const passwordFile = path.join(dir, "passwd");
  writeFileSync(passwordFile, "");
  for (const [name, password] of Object.entries(users)) await run("mosquitto_passwd", ["-b", passwordFile, name, password]);
  const { certFile, keyFile } = await generateCertificate({ dir: path.join(dir, "tls"), hosts: ["127.0.0.1"] });
  const [port, tlsPort] = await freePorts(2);
  const file = path.join(dir, "mosquitto.conf");
  writeFileSync(
    file,
    [
      // As root, Mosquitto drops to user "mosquitto", who cannot read our folder.
      ...(process.getuid?.() === 0 ? ["user root"] : []),
      "per_listener_settings false",
      "allow_anonymous false",
      `password_file ${passwordFile}`,
      "persistence false",
      // Hearth's session may queue many readings while it restarts (the default is 1000).
      "max_queued_messages 100000",
      ...settings,
      "log_dest stderr",
      "log_type error",
      "log_type warning",
      "log_type notice",
      `listener ${port} 127.0.0.1`,
      `listener ${tlsPort} 127.0.0.1`,
      `certfile ${certFile}`,
      `keyfile ${keyFile}`,
      "",
    ].join("\n"),
  );
  let proc: Proc | null = null;
  const kill = async () => void (await proc?.stop());
  const stop = async () => {
    await kill();
    rmSync(dir, { recursive: true, force: true });
  };
  const start = async () => {
    proc = spawnLogged(MOSQUITTO, ["-c", file]);
    await until("mosquitto", async () => (await portOpen(port)) && (await portOpen(tlsPort)), proc);
  };
  try {
    await start();
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, tlsPort, caFile: certFile, output: () => proc?.output() ?? "", kill, start, stop };
}

export type NatsNode = {
  name: string;
  mqttPort: number;
  url: string;
  running(): boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
  output(): string;
};

export type NatsCluster = { nodes: NatsNode[]; urls: string[]; stop(): Promise<void> };

/** `size` nats-server processes in one cluster, JetStream and MQTT on each; MQTT streams replicated on all. */
export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const dir = mkdtempSync(path.join(tmpdir(), "hearth-nats-"));
  const picked = await freePorts(3 * size);
  const ports = Array.from({ length: size }, (_, i) => ({ client: picked[3 * i], cluster: picked[3 * i + 1], mqtt: picked[3 * i + 2] }));
  const nodes: NatsNode[] = ports.map((p, i) => {
    const name = `n${i + 1}`;
    const file = path.join(dir, `${name}.conf`);
    mkdirSync(path.join(dir, name));
    const routes = ports.filter((_, j) => j !== i).map((o) => `"nats-route://127.0.0.1:${o.cluster}"`);
    writeFileSync(
      file,
      [
        `server_name: ${name}`,
        `listen: "127.0.0.1:${p.client}"`,
        `jetstream { store_dir: "${path.join(dir, name)}" }`,
        `cluster { name: hearth, listen: "127.0.0.1:${p.cluster}", routes: [${routes.join(", ")}] }`,
        // Sessions, retained messages and QoS 1 queues on every node: one may stop.
        `mqtt { listen: "127.0.0.1:${p.mqtt}", stream_replicas: ${size}, consumer_replicas: ${size}, ack_wait: "2s" }`,
        "",
      ].join("\n"),
    );
    let proc: Proc | null = null;
    return {
      name,
      mqttPort: p.mqtt,
      url: `mqtt://127.0.0.1:${p.mqtt}`,
      running: () => proc !== null && proc.child.exitCode === null,
      output: () => proc?.output() ?? "",
      async start() {
        proc = spawnLogged(NATS_SERVER, ["-c", file]);
        await until(`nats-server ${name}`, () => portOpen(p.mqtt), proc);
      },
      async stop() {
        await proc?.stop();
      },
    };
  });
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(nodes.map((n) => n.start()));
    // MQTT answers once JetStream has a meta leader: until then a CONNECT is refused.
    for (const node of nodes) await until(`MQTT on ${node.name}`, () => mqttAccepts(node.url), { child: { exitCode: null } as ChildProcess, output: node.output, stop: node.stop });
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, urls: nodes.map((n) => n.url), stop };
}

async function mqttAccepts(url: string): Promise<boolean> {
  try {
    const client = await mqtt.connectAsync(url, { protocolVersion: 4, clientId: `probe-${Date.now()}`, reconnectPeriod: 0, connectTimeout: 2000 });
    await client.endAsync();
    return true;
  } catch {
    return false;
  }
}

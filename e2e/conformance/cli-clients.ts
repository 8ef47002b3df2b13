// The command-line clients the suite drives: mosquitto_pub / mosquitto_sub (-V mqttv5
// or mqttv311) and Home Assistant's way of connecting (home-assistant.py on Debian's
// python3-paho-mqtt). Each runs as a child process the case waits on line by line,
// bounded in time, and killed when the case ends.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { CaseContext } from "./case";
import { Wakeup } from "./wakeup";

const run = promisify(execFile);
export type CliVersion = "mqttv5" | "mqttv311";

/** A child process read line by line. */
export class LineProcess {
  readonly lines: string[] = [];
  private readonly news = new Wakeup();
  private exited = false;
  private readonly child: ChildProcess;

  constructor(command: string, args: string[]) {
    this.child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let partial = "";
    const onData = (chunk: Buffer) => {
      partial += chunk.toString();
      const complete = partial.split("\n");
      partial = complete.pop() ?? "";
      this.lines.push(...complete);
      this.news.wake();
    };
    this.child.stdout!.on("data", onData);
    this.child.stderr!.on("data", onData);
    // "close", not "exit": a process that prints and exits at once (mosquitto_sub -C 1) may
    // exit before its last output is read, and the line it was waited for would be missed.
    this.child.once("close", () => {
      if (partial) this.lines.push(partial);
      this.exited = true;
      this.news.wake();
    });
  }

  /** The first line that matches, or null when the process ended or nothing came in time. */
  waitFor(match: (line: string) => boolean, timeoutMs = 5_000): Promise<string | null> {
    return this.news.poll(() => this.lines.find(match), () => this.exited, timeoutMs);
  }

  /** SIGKILL: the client vanishes the way a crashed one does, without DISCONNECT. */
  async kill(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once("close", () => resolve()));
    this.child.kill("SIGKILL");
    await exited;
  }
}

const hostPort = (ctx: CaseContext) => ["-h", "127.0.0.1", "-p", String(ctx.target.tcpPort)];

export async function mosquittoPub(ctx: CaseContext, version: CliVersion, ...args: string[]): Promise<void> {
  await run("mosquitto_pub", [...hostPort(ctx), "-V", version, "-i", ctx.clientId(`pub-${version}`), ...args], { timeout: 10_000 });
}

/**
 * mosquitto_sub, printing each message as "MSG|" + `format`; resolves once its
 * SUBACK has arrived (from -d's debug lines), so what is published next reaches it.
 */
export async function mosquittoSub(ctx: CaseContext, version: CliVersion, filter: string, format: string, ...args: string[]): Promise<LineProcess> {
  // stdbuf: mosquitto_sub's stdout is block-buffered into a pipe, and its SUBACK line must come at once.
  const sub = new LineProcess("stdbuf", [
    "-oL", "mosquitto_sub", ...hostPort(ctx),
    "-V", version, "-i", ctx.clientId(`sub-${version}`), "-d", "-t", filter, "-F", `MSG|${format}`, ...args,
  ]);
  ctx.defer(() => sub.kill());
  if ((await sub.waitFor((l) => l.includes("received SUBACK"))) === null) throw new Error(`mosquitto_sub got no SUBACK:\n${sub.lines.join("\n")}`);
  return sub;
}

export const messageLines = (sub: LineProcess) => sub.lines.filter((l) => l.startsWith("MSG|")).map((l) => l.slice(4));

const HOME_ASSISTANT = path.join(import.meta.dirname, "home-assistant.py");

export type HaEvent = { event: string; [field: string]: unknown };

/** Home Assistant's MQTT connection (home-assistant.py), over TCP or WebSocket. */
export function homeAssistant(ctx: CaseContext, statusTopic: string, discoveryPrefix: string) {
  const { endpoint } = ctx.target;
  const ha = new LineProcess("/usr/bin/python3", [
    HOME_ASSISTANT, endpoint.host, String(endpoint.port), endpoint.transport === "ws" ? "websockets" : "tcp",
    ctx.clientId("home-assistant"), statusTopic, discoveryPrefix,
  ]);
  ctx.defer(() => ha.kill());
  const events = (): HaEvent[] => ha.lines.flatMap((l) => (l.startsWith("{") ? [JSON.parse(l) as HaEvent] : []));
  const waitFor = async (match: (e: HaEvent) => boolean, timeoutMs?: number) => {
    const line = await ha.waitFor((l) => l.startsWith("{") && match(JSON.parse(l) as HaEvent), timeoutMs);
    return line === null ? null : (JSON.parse(line) as HaEvent);
  };
  return { events, waitFor, kill: () => ha.kill(), output: () => ha.lines.join("\n") };
}

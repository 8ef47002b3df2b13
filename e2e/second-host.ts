// A second machine for tests that must connect from somewhere other than loopback:
// a network namespace joined to this one by a veth pair on a /30 of 198.18.0.0/15
// (RFC 2544's range for network tests, which no real network uses). A spec runs a
// real client inside it with `run()`. Needs root and iproute2 (scripts/test.sh
// installs it); where a namespace cannot be made, create() throws saying why, so the
// tests that need another machine fail rather than silently skip.
import { execFile } from "node:child_process";
import { networkInterfaces } from "node:os";

const PREFIX = "hearth-e2e-";
/** A /30 each: 2^17 addresses hold 32768 of them. */
const SUBNETS = 1 << 15;

export type RunResult = { code: number; stdout: string; stderr: string };

/** Runs a command to its end, reporting its exit code rather than throwing on a non-zero one. */
function exec(command: string, args: string[], timeoutMs = 15_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") {
        // Not an exit code: the command is missing (ENOENT) or ran out of time (killed).
        reject(Object.assign(new Error(`${command} ${args.join(" ")}: ${error.message}\n${stderr}`), { cause: error }));
        return;
      }
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

async function ip(...args: string[]): Promise<RunResult> {
  const result = await exec("ip", args);
  if (result.code !== 0) throw new Error(`ip ${args.join(" ")} failed (${result.code}): ${result.stderr.trim()}`);
  return result;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Namespaces a crashed run left behind: deleting one deletes its veth pair too. */
async function removeLeftovers(own: string): Promise<void> {
  const { stdout } = await ip("netns", "list");
  for (const line of stdout.split("\n")) {
    const name = line.split(" ")[0];
    const pid = Number(name.startsWith(PREFIX) ? name.slice(PREFIX.length) : NaN);
    if (name === own || (Number.isInteger(pid) && !alive(pid))) await ip("netns", "del", name);
  }
}

/** The first /30 (from one the pid picks) that no interface of this machine is on. */
function freeSubnet(): { host: string; peer: string } {
  const used = new Set(
    Object.values(networkInterfaces())
      .flat()
      .map((a) => (a?.family === "IPv4" ? a.address.split(".").map(Number) : []))
      .filter(([a, b]) => a === 198 && (b === 18 || b === 19))
      .map(([, b, c, d]) => ((b - 18) * 65536 + c * 256 + d) >> 2),
  );
  for (let i = 0; i < SUBNETS; i++) {
    const n = (process.pid + i) % SUBNETS;
    if (used.has(n)) continue;
    const at = (offset: number) => {
      const v = n * 4 + offset;
      return `198.${18 + (v >> 16)}.${(v >> 8) & 255}.${v & 255}`;
    };
    return { host: at(1), peer: at(2) };
  }
  throw new Error("no free /30 left in 198.18.0.0/15");
}

export class SecondHost {
  private constructor(
    /** The namespace's name, unique to this test process. */
    readonly name: string,
    private readonly link: string,
    /** This machine's address on the pair: a server bound here is reachable from the second host. */
    readonly hostAddress: string,
    /** The second host's own address, as this machine's servers see it. */
    readonly address: string,
  ) {}

  static async create(): Promise<SecondHost> {
    const name = `${PREFIX}${process.pid}`;
    const link = `hh${process.pid}`; // interface names are at most 15 characters
    let second: SecondHost | undefined;
    try {
      await removeLeftovers(name);
      const { host, peer } = freeSubnet();
      second = new SecondHost(name, link, host, peer);
      await ip("netns", "add", name);
      await ip("link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", name);
      await ip("addr", "add", `${host}/30`, "dev", link);
      await ip("link", "set", link, "up");
      await ip("netns", "exec", name, "ip", "addr", "add", `${peer}/30`, "dev", "eth0");
      await ip("netns", "exec", name, "ip", "link", "set", "eth0", "up");
      await ip("netns", "exec", name, "ip", "link", "set", "lo", "up");
      return second;
    } catch (error) {
      await second?.dispose().catch(() => {});
      throw new Error(
        `cannot make a second host to connect from (network namespace ${name}). It needs root ` +
          "(CAP_SYS_ADMIN and CAP_NET_ADMIN) and iproute2's `ip`, which scripts/test.sh installs: " +
          (error as Error).message,
        { cause: error },
      );
    }
  }

  /** Runs a command on the second host (inside the namespace) and reports how it ended. */
  run(command: string, args: string[], timeoutMs?: number): Promise<RunResult> {
    return exec("ip", ["netns", "exec", this.name, command, ...args], timeoutMs);
  }

  /** Deletes the veth pair and the namespace; safe to call twice. */
  async dispose(): Promise<void> {
    // The link first: deleting it takes its peer along at once, where a namespace's
    // devices go only when the kernel gets round to freeing it.
    const link = await exec("ip", ["link", "show", this.link]);
    if (link.code === 0) await ip("link", "del", this.link);
    const { stdout } = await exec("ip", ["netns", "list"]);
    if (stdout.split("\n").some((line) => line.split(" ")[0] === this.name)) await ip("netns", "del", this.name);
  }
}

// A free TCP port on 127.0.0.1, for the servers tests and benchmarks start. Kept
// apart from e2e/hub.ts so the bench can use it without loading Playwright's test runner.
//
// A port is picked, closed, and bound later by the server the test starts, often more
// than once (a hub restarted on the same port, PostgreSQL paused and resumed, Mosquitto
// killed and started again; review-12 F8). A port taken with listen(0) can be handed to
// anyone else between those moments: another Playwright worker's listen(0), a unit test
// running beside it, any outgoing connection's source port. So ports come from below the
// kernel's ephemeral range (Linux ip_local_port_range, 32768–60999; RESERVED_PORTS),
// which listen(0) and connect() never hand out, and each is claimed for the life of the
// process that picked it by a file in a directory every picker shares: no two processes
// of any run on this machine are given the same port while the first still lives.
import { mkdirSync, readFileSync, rmdirSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

/** Below Linux's default ephemeral range (32768–60999) and above the well-known services'. */
export const RESERVED_PORTS = { from: 20_000, to: 32_000 } as const;

/**
 * One file per claimed port, holding the claiming process's pid; one folder per user, only
 * theirs (another user's test run, or an earlier one as root, cannot lock this one out).
 */
export const CLAIMS_DIR = path.join(tmpdir(), `hearth-test-ports-${process.getuid?.() ?? "user"}`);

/** A take-over lock is held for microseconds: one this old was left by a process killed holding it. */
const STALE_LOCK_MS = 10_000;

/** The ports this process claimed (handed out, or found taken by something else): released at exit. */
const claimed = new Set<number>();
let releaseAtExit = false;

export async function freePort(): Promise<number> {
  const span = RESERVED_PORTS.to - RESERVED_PORTS.from;
  // Processes start their walks far apart, so they seldom try each other's claims.
  const start = (process.pid * 7919 + claimed.size) % span;
  for (let i = 0; i < span; i++) {
    const port = RESERVED_PORTS.from + ((start + i) % span);
    if (claimed.has(port) || !claimPort(port)) continue;
    // Something outside the test suite (a service on this machine) may listen there: keep
    // the claim, so nobody else tries it again, and walk on.
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port left in ${RESERVED_PORTS.from}–${RESERVED_PORTS.to} (claims in ${CLAIMS_DIR})`);
}

/**
 * Claims `port` for this process: true if the claim is now ours. A claim left by a process
 * that died without releasing it (a killed worker) is taken over under a lock, so two
 * processes that find it stale at once cannot both end up owning the port.
 */
export function claimPort(port: number): boolean {
  mkdirSync(CLAIMS_DIR, { recursive: true, mode: 0o700 });
  const file = path.join(CLAIMS_DIR, String(port));
  if (create(file, port)) return true;
  const lock = `${file}.lock`;
  if (!takeLock(lock)) return false; // another process is taking it over
  try {
    if (ownerAlive(file)) return false;
    try {
      unlinkSync(file);
    } catch {
      // already gone: whoever creates it first below owns it
    }
    return create(file, port);
  } finally {
    rmdirSync(lock);
  }
}

function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch {
    try {
      if (Date.now() - statSync(lock).mtimeMs < STALE_LOCK_MS) return false;
      rmdirSync(lock);
      mkdirSync(lock);
      return true;
    } catch {
      return false; // gone or taken meanwhile: another process is on it
    }
  }
}

function create(file: string, port: number): boolean {
  try {
    writeFileSync(file, String(process.pid), { flag: "wx" });
    claimed.add(port);
    if (!releaseAtExit) {
      releaseAtExit = true;
      process.once("exit", releaseClaims);
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

function ownerAlive(file: string): boolean {
  let owner: number;
  try {
    owner = Number(readFileSync(file, "utf8"));
  } catch {
    return false;
  }
  if (!Number.isSafeInteger(owner) || owner <= 0) return false;
  if (owner === process.pid) return true;
  try {
    process.kill(owner, 0);
    return true;
  } catch (error) {
    // EPERM: it lives, as another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Releases this process's claims (at exit; a process killed without it leaves them to be taken over). */
export function releaseClaims(): void {
  for (const port of claimed) {
    const file = path.join(CLAIMS_DIR, String(port));
    try {
      if (readFileSync(file, "utf8") === String(process.pid)) unlinkSync(file);
    } catch {
      // gone already
    }
  }
  claimed.clear();
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** Whether something accepts connections on `port` of 127.0.0.1 (a server the test started is ready). */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

// The tests' port picker (e2e/free-port.ts, review-12 F8): a port a test picked stays its
// own while the test runs, across restarts of the server on it, whoever else picks ports.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { once } from "node:events";
import { describe, it } from "node:test";
import { CLAIMS_DIR, claimPort, freePort, releaseClaims } from "../e2e/free-port";

const FREE_PORT = new URL("../e2e/free-port.ts", import.meta.url).pathname;

/** The lowest port the kernel hands out to listen(0) and to outgoing connections. */
function ephemeralFloor(): number {
  const range = "/proc/sys/net/ipv4/ip_local_port_range";
  return existsSync(range) ? Number(readFileSync(range, "utf8").trim().split(/\s+/)[0]) : 32768;
}

/** Another process that claims `port`, says whether it got it, then exits or waits to be killed. */
function claimIn(port: number, then: "exit" | "wait") {
  const script = `import(${JSON.stringify(FREE_PORT)}).then((m) => { console.log(m.claimPort(${port})); ${then === "wait" ? "setInterval(() => {}, 1 << 30);" : ""} });`;
  const child = spawn(process.execPath, ["--import", "tsx", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const answer = new Promise<string>((resolve) => child.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString().trim())));
  return { child, answer };
}

describe("freePort (review-12 F8)", () => {
  it("hands out ports below the ephemeral range, which no listen(0) or outgoing connection can take while a server restarts", async () => {
    const ports = [await freePort(), await freePort(), await freePort()];
    assert.equal(new Set(ports).size, 3);
    for (const port of ports) assert.ok(port < ephemeralFloor(), `${port} is below ${ephemeralFloor()}`);
    releaseClaims();
  });

  it("never hands a port one process holds to another; a port is free again once its holder exits, or is killed", async () => {
    const port = await freePort();
    const other = claimIn(port, "exit");
    assert.equal(await other.answer, "false", "held by this process");
    await once(other.child, "exit");
    releaseClaims();

    const holder = claimIn(port, "wait");
    assert.equal(await holder.answer, "true");
    assert.equal(claimPort(port), false, "held by a live process");
    holder.child.kill("SIGKILL");
    await once(holder.child, "exit");
    assert.equal(claimPort(port), true, "a killed holder's claim is taken over");
    releaseClaims();

    const after = claimIn(port, "exit");
    assert.equal(await after.answer, "true", "released at exit");
    await once(after.child, "exit");
  });

  it("keeps its claims in a folder of this user's own (review-15 M3), and takes over a take-over lock a killed process left (L1)", async () => {
    assert.ok(CLAIMS_DIR.endsWith(`-${process.getuid?.() ?? "user"}`));
    const port = await freePort();
    releaseClaims();
    assert.equal((statSync(CLAIMS_DIR).mode & 0o077), 0, "only this user may write there");
    // A claim by a process long gone, and the lock a process killed while taking it over left.
    writeFileSync(path.join(CLAIMS_DIR, String(port)), "2147483646");
    const lock = path.join(CLAIMS_DIR, `${port}.lock`);
    mkdirSync(lock);
    assert.equal(claimPort(port), false, "a fresh lock: another process is taking the port over");
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    assert.equal(claimPort(port), true, "an old lock is stale: the port is taken over");
    assert.equal(existsSync(lock), false);
    releaseClaims();
  });
});

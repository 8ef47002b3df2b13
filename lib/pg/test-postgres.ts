// A real PostgreSQL 15 for the tests (issue 14): Debian's server binaries, a cluster
// made by initdb in a temporary folder, listening on a free port on 127.0.0.1 with its
// unix socket in the same folder, stopped and removed at the end. Never a mock.
//
// initdb costs a few seconds, so one server is shared by every suite of a test run:
// scripts/with-test-postgres.ts starts it and hands its URL down in
// HEARTH_TEST_DATABASE_URL. A test file run on its own starts a server for itself.
// Tests isolate themselves with a schema each (freshSchema), not a server each.
import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "../../e2e/free-port";

export const PG_BIN = process.env.HEARTH_PG_BIN ?? "/usr/lib/postgresql/15/bin";
export const SHARED_URL_ENV = "HEARTH_TEST_DATABASE_URL";

export type TestPostgres = {
  /** postgres://hearth@127.0.0.1:<port>/postgres, no password (trust on loopback). */
  url: string;
  port: number;
  /** Stops the server, keeping its files: a database that "goes away". */
  pause(): void;
  /** Starts it again on the same port, with everything it held. */
  resume(): void;
  /** Stops the server and removes its folder; safe to call twice. */
  stop(): void;
};

/** initdb refuses to run as root: as root, run the server's tools as `postgres`. */
function runAsServerUser(command: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
  execFileSync(file, argv, { stdio: ["ignore", "ignore", "pipe"] });
}

function giveToServerUser(dir: string): void {
  if (process.getuid?.() !== 0) return;
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString());
  chownSync(dir, uid, gid);
}

/**
 * Makes a cluster in a new temporary folder and starts it on `port` (by default a free one).
 * `durable` keeps fsync on, for the bench: commits are then as safe as SQLite's WAL with
 * synchronous=NORMAL (synchronous_commit=off: a crash may lose the last commits, never corrupt).
 */
export async function startTestPostgres(options: { port?: number; durable?: boolean } = {}): Promise<TestPostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), "hearth-pg-"));
  const data = path.join(dir, "data");
  const port = options.port ?? (await freePort());
  let running = false;
  const pgCtl = (...args: string[]) => runAsServerUser(path.join(PG_BIN, "pg_ctl"), ["-D", data, ...args]);
  const start = () => {
    // fsync off: a test cluster is thrown away, and syncing costs more than the tests.
    const safety = options.durable ? "" : " -c fsync=off -c full_page_writes=off";
    const settings = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c synchronous_commit=off${safety}`;
    pgCtl("-o", settings, "-l", path.join(dir, "server.log"), "-w", "-t", "60", "start");
    running = true;
  };
  const halt = () => {
    if (!running) return;
    running = false;
    pgCtl("-m", "fast", "-w", "stop");
  };
  try {
    giveToServerUser(dir);
    runAsServerUser(path.join(PG_BIN, "initdb"), ["-D", data, "-A", "trust", "-U", "hearth", "--locale=C", "-E", "UTF8", "--no-sync"]);
    start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot start the test PostgreSQL from ${PG_BIN} (apt-get install postgresql-15): ${stderrOf(error)}`);
  }
  const stop = () => {
    try {
      halt();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      process.off("exit", stop);
    }
  };
  // A test run that dies half-way must not leave a server behind.
  process.on("exit", stop);
  return { url: `postgres://hearth@127.0.0.1:${port}/postgres`, port, pause: halt, resume: start, stop };
}

function stderrOf(error: unknown): string {
  const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
  return stderr || (error instanceof Error ? error.message : String(error));
}

let own: Promise<TestPostgres> | null = null;

/**
 * The URL of this run's shared server, or of one this process starts once (and
 * stops when it exits) when the tests run without scripts/with-test-postgres.ts.
 */
export async function sharedPostgresUrl(): Promise<string> {
  const shared = process.env[SHARED_URL_ENV];
  if (shared) return shared;
  own ??= startTestPostgres();
  return (await own).url;
}

let schemas = 0;

/** A schema no other test (in this process or another) has used, created empty. */
export async function freshSchema(url: string): Promise<string> {
  const name = `t_${process.pid}_${++schemas}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${name}`);
  } finally {
    await client.end();
  }
  return name;
}

/** The URL of a fresh, empty schema on `url`'s server: what a user's new database looks like to a command. */
export async function freshDatabaseUrl(url: string): Promise<string> {
  const schema = await freshSchema(url);
  return `${url}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

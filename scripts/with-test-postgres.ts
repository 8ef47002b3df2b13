// Runs a command beside one real PostgreSQL that every test suite of the run shares
// (lib/pg/test-postgres.ts), then stops it:
//   node --import tsx scripts/with-test-postgres.ts node --import tsx --test …
// The command gets the server's URL in HEARTH_TEST_DATABASE_URL and its exit code is ours.
import { spawn } from "node:child_process";
import { SHARED_URL_ENV, startTestPostgres } from "../lib/pg/test-postgres";

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write("usage: with-test-postgres.ts <command> [args…]\n");
  process.exit(2);
}

const server = await startTestPostgres();
const child = spawn(command, args, { stdio: "inherit", env: { ...process.env, [SHARED_URL_ENV]: server.url } });
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
const code = await new Promise<number>((resolve) =>
  child.on("exit", (status, signal) => resolve(status ?? (signal ? 128 : 1))),
);
server.stop();
process.exit(code);

// `npm run hearth -- <command>`: manage accounts and certificates from a shell,
// beside a running hub or without one (accounts.sqlite is opened in WAL mode).
import { hostname } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { AccountError } from "../lib/auth/account-store";
import { accountsSource, openAccounts } from "../lib/auth/open-accounts";
import { createLogger } from "../lib/log";
import { defaultDeviceTopics, mosquittoPubLine } from "../lib/auth/device-setup";
import { generatePassword } from "../lib/auth/password";
import { isRole } from "../lib/auth/roles";
import { ConfigError, loadConfig } from "../lib/config";
import { PgStoreError } from "../lib/pg/pool";
import { generateCertificate } from "./generate-cert";
import { MigrateError, runMigrate } from "./migrate-command";
import { askHub, controlSocketPath, HubUnreachable } from "./control-socket";

const USAGE = `Usage: npm run hearth -- <command>

  device add <name> [--topic <filter>]…   create a device account; prints its password once
                                          (default topic: its room's, home/kitchen/# for kitchen-sensor)
  device list                             list device accounts
  device remove <name>                    delete a device account
  session list                            the running hub's MQTT sessions: client id, owner, connected or since when
  session end <clientId>                  end a session now (its connection closes): frees a client id that
                                          another account's kept session holds (Identifier rejected)
  user add <name> [--role viewer|operator|admin] [--password <pw>]
                                          create a user (a password is generated when not given)
  user list                               list users
  generate-cert [--host <name>]…          make a self-signed certificate for the LAN in the data directory
  migrate --to <postgres://…>             copy the data directory's history into PostgreSQL (resumable)
`;

function fail(message: string): never {
  process.stderr.write(`hearth: ${message}\n`);
  process.exit(2);
}

async function main(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      topic: { type: "string", multiple: true },
      role: { type: "string" },
      password: { type: "string" },
      host: { type: "string", multiple: true },
      to: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [group, action, name] = positionals;
  if (values.help || !group) {
    process.stdout.write(USAGE);
    return;
  }
  const config = loadConfig(process.env, process.cwd());

  if (group === "generate-cert") {
    const result = await generateCertificate({ dir: path.join(config.dataDir, "tls"), hosts: values.host ?? [] });
    process.stdout.write(
      `Wrote ${result.certFile}\n  and ${result.keyFile}\n  for ${result.names.join(", ")}\n\n` +
        `Start the hub with:\n  HEARTH_TLS_CERT=${result.certFile} HEARTH_TLS_KEY=${result.keyFile} npm start\n` +
        `Then trust ${result.certFile} on your phones and tablets (see the README, "TLS").\n`,
    );
    return;
  }

  if (group === "migrate") {
    await runMigrate(config.dataDir, values.to, process.stdout);
    return;
  }

  if (group === "session") {
    await sessionCommand(controlSocketPath(config.dataDir), action, name);
    return;
  }

  const accounts = openAccounts(accountsSource(config), createLogger("accounts"), { retry: false });
  try {
    if (group === "device" && action === "add" && name) {
      const topics = values.topic ?? defaultDeviceTopics(name);
      const { device, password } = await accounts.createDevice(name, topics);
      process.stdout.write(
        `Created device account ${device.name}, allowed to publish and subscribe under: ${device.topics.join(", ")}\n` +
          `Its password (shown only now; store it in the device):\n\n  ${password}\n\n` +
          `Try: ${mosquittoPubLine({ host: hostname(), port: config.mqttPort, tls: false }, { name: device.name, password, topics: device.topics })}\n`,
      );
    } else if (group === "device" && action === "list") {
      for (const d of await accounts.listDevices()) process.stdout.write(`${d.name}\t${d.topics.join(",")}\n`);
    } else if (group === "device" && action === "remove" && name) {
      await accounts.deleteDevice(name);
      // A running hub notices within seconds (broker/rights-now.ts): it closes the device's
      // connections and ends its sessions, so its client ids are free for another account.
      process.stdout.write(`Removed device account ${name}; it can no longer connect, and a running hub disconnects it within seconds.\n`);
    } else if (group === "user" && action === "add" && name) {
      const role = values.role ?? "viewer";
      if (!isRole(role)) fail(`--role must be viewer, operator or admin (got ${JSON.stringify(role)})`);
      const password = values.password ?? generatePassword();
      await accounts.createUser(name, password, role);
      process.stdout.write(`Created ${role} ${name}` + (values.password ? ".\n" : ` with the password (shown only now):\n\n  ${password}\n`));
    } else if (group === "user" && action === "list") {
      for (const u of await accounts.listUsers()) process.stdout.write(`${u.username}\t${u.role}\n`);
    } else {
      fail(`unknown command ${JSON.stringify(positionals.join(" "))}\n\n${USAGE}`);
    }
  } finally {
    await accounts.close();
  }
}

/** Sessions live in the running hub: asked over its control socket (control-socket.ts). */
async function sessionCommand(socket: string, action: string | undefined, clientId: string | undefined) {
  if (action === "list") {
    const reply = await askHub(socket, { op: "sessions" });
    if (!reply.ok || !("sessions" in reply)) fail(reply.ok ? "unexpected answer" : `${reply.message} (${reply.code})`);
    for (const s of reply.sessions) {
      const state = s.connected ? "connected" : `disconnected since ${new Date(s.disconnectedAt ?? 0).toISOString()}`;
      process.stdout.write(`${s.clientId}\t${s.owner ?? "-"}\t${state}\n`);
    }
  } else if (action === "end" && clientId) {
    const reply = await askHub(socket, { op: "end-session", clientId });
    if (!reply.ok || !("ended" in reply)) fail(reply.ok ? "unexpected answer" : `${reply.message} (${reply.code})`);
    if (!reply.ended) fail(`there is no session ${JSON.stringify(clientId)} (session-not-found)`);
    process.stdout.write(`Ended the session ${clientId}; its connection, if any, is closed and its client id is free.\n`);
  } else {
    fail(`unknown command ${JSON.stringify(["session", action, clientId].filter(Boolean).join(" "))}\n\n${USAGE}`);
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof AccountError) fail(`${error.message} (${error.code})`);
  if (error instanceof ConfigError) fail(error.message);
  if (error instanceof MigrateError) fail(`${error.message} (${error.code})`);
  if (error instanceof HubUnreachable) fail(`${error.message} (${error.code})`);
  // Its message starts with its code already.
  if (error instanceof PgStoreError) fail(error.message);
  if ((error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) fail(`${(error as Error).message}\n\n${USAGE}`);
  throw error;
}

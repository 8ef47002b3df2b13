// A hub attached to an upstream broker, for the external-broker tests: the real
// composition (broker/hub.ts) with no Next.js thread, its own data directory and
// dashboard port on 127.0.0.1, and a "browser" on /mqtt with a login session.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { openSqliteAccountStore } from "../lib/auth/sqlite-account-store";
import type { Role } from "../lib/auth/roles";
import { SESSION_COOKIE } from "../lib/auth/session-cookie";
import { loadConfig } from "../lib/config";
import { openHistoryReader } from "../lib/history/open-history";
import { createLogger } from "../lib/log";
import type { UpstreamStatus } from "../lib/upstream-status";
import { freePort } from "../e2e/free-port";
import { startHub, type Hub } from "./hub";

/** Polls `check` until it returns a value, bounded; waits on behaviour, asserts nothing about time. */
export async function eventually<T>(what: string, check: () => Promise<T | null | undefined> | T | null | undefined, attempts = 300): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await check();
    if (value !== null && value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

export type UpstreamHub = {
  port: number;
  dataDir: string;
  hub: Hub | null;
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): UpstreamStatus;
  waitFor(state: UpstreamStatus["state"], code?: string): Promise<UpstreamStatus>;
  /** Every raw value stored for `topic`. */
  history(topic: string): Promise<number[]>;
  /** An MQTT client on /mqtt as the dashboard opens it: a session cookie of a user with `role`. */
  browser(role: Role): Promise<MqttClient>;
  dispose(): Promise<void>;
};

export async function upstreamHub(env: Record<string, string>, files: { config?: object } = {}): Promise<UpstreamHub> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "hearth-upstream-hub-"));
  if (files.config) writeFileSync(path.join(dataDir, "hearth.config.json"), JSON.stringify(files.config));
  const port = await freePort();
  const config = loadConfig(
    { HOST: "127.0.0.1", PORT: String(port), HEARTH_DATA_DIR: dataDir, HEARTH_SIMULATOR: "0", ...env },
    dataDir,
  );
  const browsers: MqttClient[] = [];
  const self: UpstreamHub = {
    port,
    dataDir,
    hub: null,
    async start() {
      self.hub = await startHub(config, { pages: false });
    },
    async stop() {
      await self.hub?.close();
      self.hub = null;
    },
    status: () => self.hub!.upstreamStatus()!,
    waitFor: (state, code) =>
      eventually(`upstream ${state} ${code ?? ""}`, () => {
        const s = self.status();
        return s.state === state && (code === undefined || s.code === code) ? s : null;
      }),
    async history(topic) {
      const reader = openHistoryReader({ kind: "sqlite", file: path.join(dataDir, "history.sqlite") }, createLogger("test"));
      try {
        return (await reader.readRaw({ topic, from: 0, to: Date.now() + 60_000, limit: 100_000 })).map((r) => r.v);
      } finally {
        await reader.close();
      }
    },
    async browser(role) {
      const accounts = openSqliteAccountStore(path.join(dataDir, "accounts.sqlite"));
      const username = `${role}-${browsers.length}`;
      await accounts.createUser(username, "browser-password", role);
      const { token } = await accounts.createSession(username, 3_600_000);
      await accounts.close();
      const client = await mqtt.connectAsync(`ws://127.0.0.1:${port}/mqtt`, {
        protocolVersion: 4, // as components/mqtt-provider.tsx
        clientId: `hearth-web-${role}-${browsers.length}`,
        reconnectPeriod: 0,
        wsOptions: { headers: { cookie: `${SESSION_COOKIE}=${token}`, origin: `http://127.0.0.1:${port}`, host: `127.0.0.1:${port}` } },
      });
      browsers.push(client);
      return client;
    },
    async dispose() {
      await Promise.all(browsers.map((b) => b.endAsync(true)));
      await self.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  await self.start();
  return self;
}

/** The next message on `topic` that `client` receives (it must already be subscribed). */
export function nextMessage(client: MqttClient, topic: string, accept: (payload: string) => boolean = () => true): Promise<{ payload: string; retain: boolean }> {
  return new Promise((resolve) => {
    const on = (t: string, payload: Buffer, packet: { retain: boolean }) => {
      if (t !== topic || !accept(payload.toString())) return;
      client.off("message", on);
      resolve({ payload: payload.toString(), retain: packet.retain });
    };
    client.on("message", on);
  });
}

// Starts a real hub process for a spec: its own ports on 127.0.0.1, its own
// fresh data directory, and the same entry point and start flags `npm start` uses.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, type BrowserContext, type Cookie, type Page } from "@playwright/test";
import { freePort } from "./free-port";
import { trackHub, untrackHub } from "./hub-log";
import { HUB_BUNDLE, HUB_ENV, HUB_NODE_ARGS } from "../scripts/build-hub";

/** Specs take `test` from here: a failed test's report carries the log of every hub it saw (e2e/hub-log.ts). */
export { expect, test } from "./hub-log";

const ROOT = path.resolve(import.meta.dirname, "..");

export type HubOptions = {
  simulator?: boolean;
  simulatorIntervalMs?: number;
  env?: Record<string, string>;
  /** Start with no admin account, as a fresh install does (onboarding). */
  noAdmin?: boolean;
  /** A certificate and key: the dashboard is HTTPS, /mqtt WSS, and MQTT over TLS listens on mqttsPort. */
  tls?: { certFile: string; keyFile: string };
  /** Fills the fresh data directory before the first start (e2e/seed-history.ts). */
  prepare?: (dataDir: string) => void;
};

export type Role = "viewer" | "operator" | "admin";
export type Credentials = { username: string; password: string };

/** The admin every TestHub creates through HEARTH_ADMIN_USER/HEARTH_ADMIN_PASSWORD. */
export const ADMIN: Credentials = { username: "admin", password: "e2e-admin-password" };

/** lib/auth/session-cookie.ts's name, which the browser tests read as a browser does. */
const SESSION_COOKIE = "hearth_session";
const sessionKey = (who: Credentials) => `${who.username}\n${who.password}`;

const run = promisify(execFile);

/**
 * broker/cli.ts (`npm run hearth`) bundled once per run by e2e/global-setup.ts, as the hub is:
 * started with tsx each command took ~1.2 s of CPU, bundled ~0.4 s, and the specs run it ~20 times.
 */
export const CLI_BUNDLE = path.join(ROOT, "dist", "cli.mjs");

/** `count` free ports, no two alike: the OS may hand a just-closed port out again at once. */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

export class TestHub {
  readonly url: string;
  readonly mqttUrl: string;
  /** Everything the hub printed, for assertions on log lines and for failure reports. */
  output = "";
  private child: ChildProcess | null = null;
  /** Who each browser context is logged in as, so open() logs in once per context. */
  private readonly loggedIn = new WeakMap<BrowserContext, string>();
  /**
   * Each person's session cookie from their first login through the page on this hub:
   * later browser contexts start with it, as a returning browser does, instead of
   * logging in again (a page load, a scrypt hash and a dashboard render per test).
   * Keyed by name and password: a test that logs in with a new password logs in.
   */
  private readonly sessions = new Map<string, Cookie>();

  private constructor(
    readonly port: number,
    readonly mqttPort: number,
    readonly mqttsPort: number,
    readonly dataDir: string,
    private readonly options: HubOptions,
  ) {
    this.url = `${options.tls ? "https" : "http"}://127.0.0.1:${port}`;
    this.mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
  }

  static async start(options: HubOptions = {}): Promise<TestHub> {
    const dataDir = mkdtempSync(path.join(tmpdir(), "hearth-e2e-"));
    const [port, mqttPort, mqttsPort] = await distinctFreePorts(3);
    const hub = new TestHub(port, mqttPort, mqttsPort, dataDir, options);
    trackHub(hub);
    // A hub that never became ready is stopped here: the spec's afterAll has no hub to dispose
    // of, and the process would run beside the rest of the suite (review-12 F14).
    try {
      options.prepare?.(dataDir);
      await hub.start();
    } catch (error) {
      await hub.dispose();
      throw error;
    }
    return hub;
  }

  /** Starts (or restarts) the hub process on the same ports and data directory. */
  async start(): Promise<void> {
    // As `npm start` runs it (scripts/start.sh): the same node flags and malloc setting,
    // so the tests see the hub's memory and GC as a person's hub has them.
    const child = spawn(process.execPath, [...HUB_NODE_ARGS, HUB_BUNDLE], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...HUB_ENV,
        NODE_ENV: "production",
        HOST: "127.0.0.1",
        PORT: String(this.port),
        MQTT_PORT: String(this.mqttPort),
        HEARTH_DATA_DIR: this.dataDir,
        HEARTH_SIMULATOR: this.options.simulator ? "1" : "0",
        HEARTH_SIMULATOR_INTERVAL_MS: String(this.options.simulatorIntervalMs ?? 5000),
        ...(this.options.noAdmin ? {} : { HEARTH_ADMIN_USER: ADMIN.username, HEARTH_ADMIN_PASSWORD: ADMIN.password }),
        ...(this.options.tls
          ? { HEARTH_TLS_CERT: this.options.tls.certFile, HEARTH_TLS_KEY: this.options.tls.keyFile, MQTTS_PORT: String(this.mqttsPort) }
          : {}),
        ...this.options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    // Only this run's lines count: after a restart, the last run's "ready" is still in the output.
    const from = this.output.length;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`hub did not start within 60 s:\n${this.output}`)), 60_000);
      const onData = (chunk: Buffer) => {
        this.output += chunk.toString();
        if (/ INFO hub: ready/.test(this.output.slice(Math.max(from, this.output.length - 4096)))) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`hub exited with code ${code} before it was ready:\n${this.output}`));
      });
    });
  }

  /** Stops the hub the way a person would, with SIGTERM, and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.child = null;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill("SIGKILL"), 15_000);
      child.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill("SIGTERM");
    });
  }

  /** Kills the hub with SIGKILL, as a crash or the OOM killer would: no shutdown code runs. */
  kill(): void {
    this.child?.kill("SIGKILL");
  }

  /** Resolves once the hub process has exited (after kill()). */
  async exited(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null && child.signalCode === null) await once(child, "exit");
  }

  /**
   * Opens a dashboard page and waits until its own MQTT connection is live:
   * QoS 0 messages published before the page has subscribed are lost. Returns the
   * page's uncaught errors, collected from now on. Every browser test opens pages
   * through here, so what it takes to get in lives in one place: it logs in (as the
   * admin, or `as` someone else) through the login page once per hub and person, and
   * a later browser context starts with that session's cookie.
   */
  async open(page: Page, pathname = "/", options: { as?: Credentials } = {}): Promise<string[]> {
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    const who = options.as ?? ADMIN;
    const context = page.context();
    const target = new URL(pathname, this.url).href;
    // Login lands on the dashboard: no second load of the page it is already on.
    let landed = false;
    if (this.loggedIn.get(context) !== who.username) {
      const session = this.sessions.get(sessionKey(who));
      if (session) await context.addCookies([session]);
      else landed = (await this.logInFirst(page, who)) === target;
      this.loggedIn.set(context, who.username);
    }
    if (!landed) await page.goto(target);
    // A stored session the hub has since ended (logout, password reset, expiry): log in again.
    if (new URL(page.url()).pathname === "/login" && new URL(target).pathname !== "/login") {
      this.sessions.delete(sessionKey(who));
      if ((await this.logInFirst(page, who)) !== target) await page.goto(target);
    }
    // A page's first connect waits on the machine, not the hub: two busy cores took over 5 s
    // (charts and phone failed so at load 15); the wait ends as soon as it connects.
    await expect(page.getByTestId("connection")).toHaveAttribute("data-status", "connected", { timeout: 15_000 });
    return errors;
  }

  /**
   * Logs in through the login page and keeps the session for later contexts. The page
   * login lands on is the hub's cold start: Next loads each route's code on its first
   * request (that page and the six its links prefetch) while the browser hydrates its
   * first page, on a machine of two busy cores. The hub's own part is milliseconds
   * (session check ≤ 2.2 ms, CONNACK ≤ 10 ms after CONNECT); the rest, up to ~4 s
   * unloaded, is that cold start, which a person sees once per hub start. Let it finish
   * here, under login's allowance, rather than navigate away mid-render and leave that
   * aborted work competing with the page a test opens next.
   */
  private async logInFirst(page: Page, who: Credentials): Promise<string> {
    await this.logIn(page, who);
    await expect(page.getByTestId("connection")).toHaveAttribute("data-status", "connected", { timeout: 20_000 });
    const session = (await page.context().cookies(this.url)).find((c) => c.name === SESSION_COOKIE);
    if (session) this.sessions.set(sessionKey(who), session);
    return page.url();
  }

  /** The hub process's id, for reading its memory from /proc. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Logs in through the login page, as a person would, and waits to land on the dashboard. */
  async logIn(page: Page, who: Credentials): Promise<void> {
    await page.goto(new URL("/login", this.url).href);
    // By field name, not label: a browser set to Korean gets the login page in Korean
    // (e2e/accounts.spec.ts checks the English labels a person reads).
    await page.locator('input[name="username"]').fill(who.username);
    await page.locator('input[name="password"]').fill(who.password);
    await page.locator('button[type="submit"]').click();
    // The first server action after a start can be slow on a busy machine (scrypt, cold code).
    await expect(page).not.toHaveURL(/\/login/, { timeout: 20_000 });
  }

  /** `npm run hearth -- <args>` against this hub's data directory; returns what it printed. */
  async cli(...args: string[]): Promise<string> {
    const { stdout } = await run(process.execPath, [CLI_BUNDLE, ...args], {
      cwd: ROOT,
      // The hub's own env too: with HEARTH_DATABASE_URL the command works on its PostgreSQL.
      env: { ...process.env, HEARTH_DATA_DIR: this.dataDir, MQTT_PORT: String(this.mqttPort), ...this.options.env },
    });
    return stdout;
  }

  /** A user with this role and a fixed password, made with the hub's own command. */
  async createUser(username: string, role: Role): Promise<Credentials> {
    const password = `${username}-e2e-password`;
    await this.cli("user", "add", username, "--role", role, "--password", password);
    return { username, password };
  }

  /** A device account; returns the password the command printed once. */
  async createDevice(name: string, topics: string[]): Promise<Credentials> {
    const out = await this.cli("device", "add", name, ...topics.flatMap((t) => ["--topic", t]));
    const password = /password[^\n]*\n\n\s+(\S+)/.exec(out)?.[1];
    if (!password) throw new Error(`no password in the output of device add:\n${out}`);
    return { username: name, password };
  }

  async dispose(): Promise<void> {
    untrackHub(this);
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

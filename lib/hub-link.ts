import "server-only";
// How pages, route handlers and server actions reach the hub: they run on the web
// thread (broker/web-thread.ts), never on the broker's. History (SQLite or PostgreSQL,
// as the hub's) and accounts are read through this thread's own connections; what only
// the hub's thread holds (alert engine, login throttle, topic tap, live connections) is asked for through
// HubApi over a MessagePort. Next bundles route handlers and pages separately, so each
// bundle that imports this module gets its own connections and its own reply ids;
// nothing is shared through globalThis.
import { randomUUID } from "node:crypto";
import { workerData, type MessagePort } from "node:worker_threads";
import type { AccountStore } from "./auth/account-store";
import { openAccounts } from "./auth/open-accounts";
import { isWebThreadData, type HubApi, type HubCall, type HubReply, type Remote, type WebInfo, type WebThreadData } from "./hub-api";
import { openHistoryReader } from "./history/open-history";
import type { HistoryReader } from "./history/store";
import { createLogger } from "./log";

export type WebHub = WebInfo &
  Remote<HubApi> & {
    /** Its own connection(s) to the hub's history: a read never waits for the recorder. */
    history: HistoryReader;
    /** Users, sessions and device accounts: this thread's own connection to accounts.sqlite (WAL) or PostgreSQL pool. */
    accounts: AccountStore;
  };

let hub: WebHub | null | undefined;

/** The running hub; null during `next build` or anywhere but the hub's web thread. */
export function getHub(): WebHub | null {
  if (hub === undefined) hub = isWebThreadData(workerData) ? connect() : null;
  return hub;
}

function connect(): WebHub {
  if (!isWebThreadData(workerData)) throw new Error("not on the hub's web thread");
  const { info, files, port } = workerData;
  const api = remote(port);
  return {
    ...openWebStores(files),
    ...info,
    alerts: api.alerts,
    loginThrottle: api.loginThrottle,
    topics: api.topics,
    sessions: api.sessions,
    deviceAccounts: api.deviceAccounts,
    database: api.database,
  };
}

/** The web thread's own connections to the hub's stores: the one place that opens them. */
function openWebStores(files: WebThreadData["files"]): Pick<WebHub, "history" | "accounts"> {
  return {
    history: openHistoryReader(files.history, createLogger("web history")),
    accounts: openAccounts(files.accounts, createLogger("web accounts")),
  };
}

const GROUPS = ["alerts", "loginThrottle", "topics", "sessions", "deviceAccounts", "database"] as const satisfies readonly (keyof HubApi)[];

/** HubApi over `port`: each call posts a HubCall and waits for the reply with its id. */
function remote(port: MessagePort): Remote<HubApi> {
  const prefix = randomUUID();
  let next = 0;
  const pending = new Map<string, { resolve(value: unknown): void; reject(error: Error): void }>();
  port.on("message", (reply: HubReply) => {
    const waiter = pending.get(reply.id);
    if (waiter === undefined) return; // another bundle's call
    pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.value);
    else waiter.reject(Object.assign(new Error(reply.error.message), reply.error));
  });
  port.on("close", () => {
    for (const waiter of pending.values()) waiter.reject(new Error("the hub is shutting down"));
    pending.clear();
  });
  const call = (group: string, method: string, args: unknown[]) =>
    new Promise((resolve, reject) => {
      const id = `${prefix}:${next++}`;
      pending.set(id, { resolve, reject });
      port.postMessage({ id, group, method, args } satisfies HubCall);
    });
  const groups = Object.fromEntries(
    GROUPS.map((group) => [
      group,
      // "then" stays undefined, so a group is never mistaken for a promise.
      new Proxy({}, { get: (_, m) => (typeof m === "string" && m !== "then" ? (...args: unknown[]) => call(group, m, args) : undefined) }),
    ]),
  );
  return groups as Remote<HubApi>;
}

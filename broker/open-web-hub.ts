// Opens the web thread's hub parts, once per thread (lib/web-hub.ts says why): its own
// history reader and accounts connection, and HubApi over the MessagePort. Each part is
// registered with how to close it the moment it is open, so a failure part-way closes
// what was opened, and close() is the reverse of opening by construction. A new store
// the web reads on its own (PostgreSQL accounts or alerts, say) is one more `add` here
// and one more field in WebHub.
import type { MessagePort } from "node:worker_threads";
import { sha256, type AccountStore } from "../lib/auth/account-store";
import { openAccounts } from "../lib/auth/open-accounts";
import type { UserChange } from "../lib/auth/user-change";
import type { WebPriority } from "../lib/config-schema";
import type { HubApi, HubCall, HubReply, Remote, WebThreadData } from "../lib/hub-api";
import { openHistoryReader, type HistorySource } from "../lib/history/open-history";
import type { HistoryReader } from "../lib/history/store";
import type { Logger } from "../lib/log";
import type { WebHub } from "../lib/web-hub";
import { createHistoryReaders } from "./history-readers";
import { createLifecycle } from "./lifecycle";

export type OpenedWebHub = { hub: WebHub; close(): Promise<void> };

export async function openWebHub(data: Pick<WebThreadData, "info" | "files" | "port"> & Partial<Pick<WebThreadData, "priority">>, log: Logger): Promise<OpenedWebHub> {
  const { info, files, port, priority } = data;
  const opened = createLifecycle((name, error) => log.error("web thread: closing failed", { part: name, error: error.message }));
  try {
    const api = opened.add("hub api", remote(port), (r) => r.close());
    const history = opened.add("history reader", openReader(files.history, priority ?? "idle", log), (h) => h.close());
    const accounts = opened.add("accounts", tellingTheHub(openAccounts(files.accounts, log), api.groups, log), (a) => a.close());
    // Logouts an earlier web thread made while the database was away (review 6, #5).
    for (const { tokenHash, sessionId } of await api.groups.sessions.ended()) accounts.endedElsewhere(tokenHash, sessionId);
    const hub: WebHub = { ...info, ...api.groups, history, accounts };
    return { hub, close: () => opened.close() };
  } catch (error) {
    await opened.close();
    throw error;
  }
}

/**
 * SQLite history is read on reader threads of the web thread's own (history-readers.ts), so
 * a long read holds up neither page renders nor another person's read; with 0 threads, on
 * the web thread itself. PostgreSQL's reads are async already (a pool of connections).
 */
function openReader(source: HistorySource, priority: WebPriority, log: Logger): HistoryReader {
  if (source.kind === "sqlite" && (source.readerThreads ?? 0) > 0) {
    return createHistoryReaders({ file: source.file, size: source.readerThreads!, priority, log });
  }
  return openHistoryReader(source, log);
}

/**
 * The web thread's accounts, which tell the hub thread's when a user changed (review 5,
 * finding 6): each thread remembers sessions for an outage, and the hub's must not let a
 * deleted, reset or demoted user back onto /mqtt with what it remembered. And of every
 * logout (review 6, #5), even of a session this thread has not seen: the hub closes its
 * connections and keeps the logout for the next web thread should this one crash.
 */
export function tellingTheHub(accounts: AccountStore, hub: Pick<Remote<HubApi>, "sessions" | "deviceAccounts">, log: Logger): AccountStore {
  const { sessions } = hub;
  const tell = async (username: string, change: UserChange) => {
    // The change is made; the hub only failing to hear of it while it shuts down is no reason to report it failed.
    await sessions.forget(username, change).catch((error: Error) => log.warn("could not tell the hub a user changed", { username, error: error.message }));
  };
  return {
    ...accounts,
    setRole: async (username, role) => {
      await accounts.setRole(username, role);
      await tell(username, { kind: "role", role });
    },
    deleteUser: async (username) => {
      await accounts.deleteUser(username);
      await tell(username, { kind: "deleted" });
    },
    setPassword: async (username, password, options) => {
      await accounts.setPassword(username, password, options);
      await tell(username, { kind: "password", keepSession: options?.keepSession });
    },
    // Its connections and kept sessions end now (review-8 F3); the hub's sweep would find it within seconds.
    deleteDevice: async (name) => {
      await accounts.deleteDevice(name);
      await hub.deviceAccounts.changed().catch((error: Error) => log.warn("could not tell the hub a device account was removed", { device: name, error: error.message }));
    },
    endSession: async (token) => {
      const session = await accounts.endSession(token);
      await sessions
        .drop(sha256(token), session?.id ?? null)
        .catch((error: Error) => log.warn("could not tell the hub of a logout", { username: session?.username, error: error.message }));
      return session;
    },
  };
}

// A record, not a list: a group added to HubApi and forgotten here fails the type check
// instead of being undefined on the web thread (as deviceStates was, at first).
const GROUPS = Object.keys({
  alerts: 1,
  loginThrottle: 1,
  topics: 1,
  sessions: 1,
  deviceAccounts: 1,
  deviceStates: 1,
  upstream: 1,
  database: 1,
} satisfies Record<keyof HubApi, 1>) as (keyof HubApi)[];

/** HubApi over `port`: each call posts a HubCall and waits for the reply with its id. */
export function remote(port: MessagePort): { groups: Remote<HubApi>; close(): void } {
  let next = 0;
  const pending = new Map<string, { resolve(value: unknown): void; reject(error: Error): void }>();
  const failAll = () => {
    for (const waiter of pending.values()) waiter.reject(new Error("the hub is shutting down"));
    pending.clear();
  };
  port.on("message", (reply: HubReply) => {
    const waiter = pending.get(reply.id);
    if (waiter === undefined) return; // answered after a shutdown gave up on it
    pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.value);
    else waiter.reject(Object.assign(new Error(reply.error.message), reply.error));
  });
  port.on("close", failAll);
  const call = (group: string, method: string, args: unknown[]) =>
    new Promise((resolve, reject) => {
      const id = String(next++); // one caller per thread and port: a counter is unique
      pending.set(id, { resolve, reject });
      port.postMessage({ id, group, method, args } satisfies HubCall);
    });
  const groups = Object.fromEntries(
    GROUPS.map((group) => [
      group,
      // "then" stays undefined, so a group is never mistaken for a promise.
      new Proxy({}, { get: (_, m) => (typeof m === "string" && m !== "then" ? (...args: unknown[]) => call(group, m, args) : undefined) }),
    ]),
  ) as Remote<HubApi>;
  return { groups, close: failAll };
}

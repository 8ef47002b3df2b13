// The one interface between the web thread (Next.js) and the hub's thread: what pages,
// route handlers and server actions may ask of live hub parts that must stay on the
// broker's thread (the alert engine's state, the login throttle MQTT shares, the topic
// tap, the live WebSocket connections). Everything else the web reads from the stores
// (SQLite, or PostgreSQL for history) on its own connections (lib/hub-link.ts). Calls cross a MessagePort as plain data
// (structured clone), so every answer here is data, never a live object.
import type { MessagePort } from "node:worker_threads";
import type { AlertService } from "./alerts/service";
import type { LoginThrottle } from "./auth/login-throttle";
import type { ProxyHeader } from "./auth/client-address";
import type { HistoryConfig } from "./config";
import type { WebPriority } from "./config-schema";
import type { HistorySource } from "./history/open-history";
import type { AccountsSource } from "./auth/open-accounts";
import type { EndedSession } from "./auth/account-store";
import type { DevicePresence } from "./auth/device-presence";
import type { UserChange } from "./auth/user-change";
import type { DeviceConfig } from "./devices/device-config";
import type { LastState } from "./devices/last-states";
import type { TopicStats } from "./topic-stats";
import type { UpstreamStatus } from "./upstream-status";
import type { DatabaseStatus } from "./pg/watch";

export type HubApi = {
  alerts: AlertService;
  /** Shared with MQTT logins, so guesses cannot be split between the two doors. */
  loginThrottle: LoginThrottle;
  topics: Pick<TopicStats, "snapshot" | "overflow" | "payload">;
  /** For the device-accounts page (issue 15): whether each account is connected and when it was last seen, in the order asked. */
  deviceAccounts: {
    presence(names: string[]): (DevicePresence | null)[];
    /** A device account was removed on the web thread: the hub ends its sessions now (broker/rights-now.ts), not at its next sweep. */
    changed(): Promise<void>;
  };
  /** What devices' state and availability topics last said (review-10 F1): a page shows them before the devices speak again. */
  deviceStates: { last(): LastState[] };
  /** The connection to the upstream broker (issue 14); null when Hearth is the broker. */
  upstream: { status(): UpstreamStatus | null };
  sessions: {
    /**
     * A logout on the web thread: closes the live MQTT connections opened with the session
     * at once, and ends it for the hub thread's accounts too, which delete its row once
     * the database answers. `sessionId` null: the web thread had not seen the session (it
     * restarted during a database outage); the hub's accounts may know it by the token.
     */
    drop(tokenHash: string, sessionId: string | null): void;
    /**
     * Logouts whose row is not deleted yet, kept here since the web thread restarts on a
     * crash and forgets (review 6, #5): a new web thread refuses them too.
     */
    ended(): EndedSession[];
    /**
     * The web thread changed the user's role or password, or deleted them: the hub
     * thread's accounts forget what they remembered of the user's sessions for an outage,
     * and the user's live MQTT connections that the change takes rights from close at once.
     */
    forget(username: string, change: UserChange): void;
  };
  /** Whether PostgreSQL answers the hub (issue 14); null when the hub keeps everything in SQLite. */
  database: { status(): DatabaseStatus | null };
};

type Method<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
/** HubApi as the web thread sees it: every method answers later. */
export type Remote<T> = { readonly [G in keyof T]: { readonly [M in keyof T[G]]: Method<T[G][M]> } };

export type HubCall = { id: string; group: string; method: string; args: unknown[] };
export type HubReply = { id: string } & (
  | { ok: true; value: unknown }
  | { ok: false; error: { name: string; message: string; code?: string } }
);

/** What the hub knows at start and the web only shows. */
export type WebInfo = {
  startedAt: number;
  /** Where history lives and how long each tier is kept, for the storage settings page. */
  historyInfo: { file: string; retention: HistoryConfig };
  /** The config file's devices section and the toggles' command timeout (issue 5). */
  devices: { config: DeviceConfig[]; commandTimeoutMs: number; availabilityGraceMs: number };
  /** The MQTT ports a device reaches (null: that listener is off), for the device form's mosquitto_pub line. */
  mqttPorts: { plain: number | null; tls: number | null };
  /** The upstream broker's address(es), without credentials; null when Hearth is the broker (issue 14). */
  upstreamServer: string | null;
  sessionTtlMs: number;
  /** auth.trustedProxies: whose X-Forwarded-For names the client (lib/auth/client-address.ts). */
  trustedProxies: readonly string[];
  /** auth.proxyHeader: which header those proxies write. */
  proxyHeader: ProxyHeader;
  /** Set when the dashboard is served over HTTPS, so cookies are marked Secure. */
  secureCookies: boolean;
};

/** The web thread's workerData. `hearth` tells it from Next's own build workers. */
export type WebThreadData = {
  hearth: 1;
  info: WebInfo;
  /** Where history and accounts live (SQLite files or a PostgreSQL URL): the web thread opens its own connections. */
  files: { history: HistorySource; accounts: AccountsSource };
  /** The hub's end answers HubCalls. */
  port: MessagePort;
  next: { dir: string; dev: boolean; hostname: string; port: number };
  /** Where Next listens; only the hub's thread connects (it owns the public port). */
  socketPath: string;
  /** How the web thread and its history reader threads give way to the broker's (broker/thread-priority.ts). */
  priority: WebPriority;
};

export function isWebThreadData(data: unknown): data is WebThreadData {
  return typeof data === "object" && data !== null && (data as { hearth?: unknown }).hearth === 1;
}

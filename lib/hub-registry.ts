// Next bundles route handlers and server components separately from the hub's
// own modules, so importing a hub module there would give a second copy of it.
// The hub registers its live services here, on globalThis, and the Next side
// reads them back: one SQLite connection, one recorder, in one process.
import type { AlertService } from "./alerts/service";
import type { HistoryConfig } from "./config";
import type { DeviceConfig } from "./devices/device-config";
import type { HistoryStore } from "./history/store";
import type { TopicStats } from "./topic-stats";
import type { AccountStore } from "./auth/account-store";
import type { LoginThrottle } from "./auth/login-throttle";
import type { DevicePresence } from "./auth/device-presence";

export type HubServices = {
  history: HistoryStore;
  /** The alert engine: rules, alert states and their history (issue 4). */
  alerts: AlertService;
  /** Writes the recorder's pending batch, so a query sees every reading received so far. */
  flushRecorder(): Promise<void>;
  startedAt: number;
  /** Every topic the broker carried, for the explorer (issue 6). */
  topicStats: TopicStats;
  /** Where history lives and how long each tier is kept, for the storage settings page. */
  historyInfo: { file: string; retention: HistoryConfig };
  /** The config file's devices section and the toggles' command timeout, for the dashboard (issue 5). */
  devices?: { config: DeviceConfig[]; commandTimeoutMs: number; availabilityGraceMs: number };
  /** Users, sessions and device accounts (accounts.sqlite in the data directory). */
  accounts: AccountStore;
  loginThrottle: LoginThrottle;
  /** How long a new session lives. */
  sessionTtlMs: number;
  /** Set when the dashboard is served over HTTPS, so cookies are marked Secure. */
  secureCookies: boolean;
  /**
   * For the device-accounts page (issue 15): whether each account is connected and when
   * it was last seen, and the MQTT ports a device reaches (null: that listener is off).
   */
  deviceAccounts: {
    presence(name: string): DevicePresence | null;
    mqttPorts: { plain: number | null; tls: number | null };
  };
  /** Closes the live MQTT connections opened with a session, at once (logout, a deleted user). */
  dropSessionConnections(sessionId: string): void;
};

const KEY = Symbol.for("hearth.hub");
type WithHub = typeof globalThis & { [KEY]?: HubServices };

export function registerHub(services: HubServices): void {
  (globalThis as WithHub)[KEY] = services;
}

/** The running hub's services; null during `next build` or outside the hub process. */
export function getHub(): HubServices | null {
  return (globalThis as WithHub)[KEY] ?? null;
}

/**
 * The history store once every reading received so far is written to it, so a
 * page or chart never misses the last flush interval; null outside the hub.
 */
export async function currentHistory(): Promise<HistoryStore | null> {
  const hub = getHub();
  if (hub === null) return null;
  await hub.flushRecorder();
  return hub.history;
}

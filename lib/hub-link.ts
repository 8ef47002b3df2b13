import "server-only";
// How pages, route handlers and server actions reach the hub: they run on the web
// thread (broker/web-thread.ts), never on the broker's. History (SQLite or PostgreSQL,
// as the hub's) and accounts are read through this thread's own connections, opened
// once per thread (lib/web-hub.ts says why and where); what only the hub's thread holds
// (alert engine, login throttle, topic tap, live connections) is asked for through
// HubApi over a MessagePort.
import { installedWebHub, type WebHub } from "./web-hub";

export type { WebHub };

/** The running hub; null during `next build` or anywhere but the hub's web thread. */
export function getHub(): WebHub | null {
  return installedWebHub();
}

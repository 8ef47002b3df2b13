// The web thread's one set of hub parts, as pages, route handlers and server actions see
// it. Next bundles each route handler and page chunk separately, and each bundle that
// imports a module gets its own copy of it: a connection opened at module scope was one
// SQLite reader (with its 32 MB page cache) or one PostgreSQL pool (with its schema
// step) per bundle (issue 13). So the thread's entry (broker/web-main.ts) opens them once
// (broker/open-web-hub.ts), before Next starts, and leaves them in one slot of this
// thread's globalThis, which every bundle's copy of this module reads. A worker thread
// has a globalThis of its own, so nothing here is shared with the broker's thread.
// Why not a module-scoped variable (review-14 F7, looked at with Next 16.0's Turbopack
// output): the hub's parts are opened by web-main.ts, which esbuild bundles with its own
// copy of this module, and Next loads further copies (its route/RSC runtime and its SSR
// runtime each have a module cache, .next/server/chunks/[turbopack]_runtime.js and
// chunks/ssr/…, and this file sits in several chunks). A variable set in one copy is
// unset in the others; only something every copy shares (this thread's globalThis, or a
// package Node loads once, kept external to both bundlers) reaches them all.
// No heavy imports here: every bundle that asks for the hub includes this file.
import type { AccountStore } from "./auth/account-store";
import type { HubApi, Remote, WebInfo } from "./hub-api";
import type { HistoryReader } from "./history/store";

export type WebHub = WebInfo &
  Remote<HubApi> & {
    /** The thread's own connection(s) to the hub's history: a read never waits for the recorder. */
    history: HistoryReader;
    /** Users, sessions and device accounts: the thread's own connection to accounts.sqlite (WAL) or PostgreSQL pool. */
    accounts: AccountStore;
  };

// Symbol.for: the same key in every bundle's copy of this module.
const SLOT = Symbol.for("hearth.web-hub");
type Slot = { [SLOT]?: WebHub };

/** Called once by the thread's entry after opening the hub's parts; null when they are closed. */
export function installWebHub(hub: WebHub | null): void {
  if (hub === null) delete (globalThis as Slot)[SLOT];
  else (globalThis as Slot)[SLOT] = hub;
}

/** The running hub; null during `next build`, after shutdown, or anywhere but the hub's web thread. */
export function installedWebHub(): WebHub | null {
  return (globalThis as Slot)[SLOT] ?? null;
}

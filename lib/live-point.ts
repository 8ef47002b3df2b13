// What the live store keeps per topic besides its reading, in a module of its own so
// the store (lib/live-store.ts) and its device half (lib/devices/live-registry.ts)
// both use it without importing each other (issue 15: that was an import cycle).
import type { UnreadableCode } from "./readings";

/** A live chart point: `t` is the browser's receive time (epoch ms). */
export type LivePoint = { readonly t: number; readonly v: number };

export type TopicError = {
  readonly code: UnreadableCode;
  readonly message: string;
  /** Browser time the unreadable payload arrived. */
  readonly at: number;
};

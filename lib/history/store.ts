// The history store's contract. SQLite (sqlite-store.ts) is the default; any other
// implementation (PostgreSQL for a fleet) must pass store-contract.ts unchanged.
import type { Reading } from "../readings";

/** One chart point. `min`/`max` are present when the point stands for a bucket of readings. */
export type HistoryPoint = { t: number; v: number; min?: number; max?: number };

export type HistoryQuery = {
  topic: string;
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, inclusive. */
  to: number;
  /** The most points the answer may hold: about the chart's width in pixels. */
  maxPoints: number;
};

export type HistorySeries = {
  topic: string;
  /** The unit of the newest reading in range, "" when none. */
  unit: string;
  from: number;
  to: number;
  /** 0 when the points are raw readings, else the width of each bucket in ms. */
  bucketMs: number;
  /** Oldest first. Never longer than the query's maxPoints. */
  points: HistoryPoint[];
};

/** The newest stored reading of a topic, so a page opened later is not empty. */
export type LatestReading = Reading;

export interface HistoryStore {
  /** Stores readings in one transaction: all of them or, on error, none. */
  append(readings: readonly Reading[]): Promise<void>;
  query(q: HistoryQuery): Promise<HistorySeries>;
  /** The newest reading of every topic that has one, sorted by topic. */
  latest(): Promise<LatestReading[]>;
  /** Deletes readings older than `before` (epoch ms); returns how many went. */
  prune(before: number): Promise<number>;
  close(): Promise<void>;
}

// The history store's contract. SQLite (sqlite-store.ts) is the default; any other
// implementation (PostgreSQL for a fleet) must pass store-contract.ts unchanged.
//
// Readings are kept in three tiers (issue 6): raw for a short window, and min / mean /
// max / count roll-ups per minute and per hour for longer ones. Roll-ups are written in
// the same transaction as the raw readings they summarise, so they survive the raw
// rows' pruning and a query never sees one without the other.
import type { AckSlot } from "../ack-slot";
import type { Reading } from "../readings";

/** One chart point. `min`/`max` are present when the point stands for a bucket of readings. */
export type HistoryPoint = { t: number; v: number; min?: number; max?: number };

/** Where a series' points came from. */
export type Tier = "raw" | "minute" | "hour";

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
  /** The unit of the topic's last appended reading, "" when the range holds none. */
  unit: string;
  from: number;
  to: number;
  /** 0 when the points are raw readings, else the width of each bucket in ms. */
  bucketMs: number;
  /** The tier the points were read from ("raw" also when raw readings were bucketed). */
  tier: Tier;
  /** Oldest first. Never longer than the query's maxPoints. */
  points: HistoryPoint[];
};

/** A series without its points: what a reader knows before it hands them on. */
export type SeriesHead = Omit<HistorySeries, "points">;

/**
 * Takes one series: its head, then its points one at a time, oldest first, as numbers (no
 * object per point: issue 13's chart reads beside an export). `min`/`max` mean something only
 * when the head's bucketMs is not 0; raw points get NaN there.
 */
export type SeriesSink = {
  head(head: SeriesHead): void;
  point(t: number, v: number, min: number, max: number): void;
};

/** The newest stored reading of a topic, so a page opened later is not empty. */
export type LatestReading = Reading;

/** Each tier's rows older than its cutoff (epoch ms) go; a tier left out is kept. */
export type PruneCutoffs = { raw?: number; minute?: number; hour?: number };
export type PruneCounts = { raw: number; minute: number; hour: number };

export type RawQuery = { topic: string; from: number; to: number; limit: number };
export type RawReading = { t: number; v: number };

export type StoredTopic = { topic: string; unit: string };

export type StoreSize = {
  /** Bytes the store takes on disk (for SQLite: the file, its WAL and shared memory). */
  bytes: number;
  /** Of those, bytes freed by pruning that new rows reuse before the file grows again. */
  freeBytes: number;
  topics: number;
  rows: { raw: number; minute: number; hour: number };
};

export type AppendOptions = {
  lazy?: boolean;
  /**
   * A grouping store only (groupsAppends): the append gets no promise of its own; it shares
   * its group's (as lazy appends do), is written at once, and a refusal of its readings by
   * the database is written into the slot before the group's commit resolves. For a message
   * whose acknowledgement waits for that commit (lib/ack-slot.ts).
   */
  ackSlot?: AckSlot;
};

/** The code a grouping store refuses an append with while too many readings wait for a write that keeps failing. */
export const HISTORY_BACKLOG_FULL = "history-backlog-full";

/** The code a grouping store refuses an append with when the database refused its rows (a constraint), not for a moment. */
export const HISTORY_REFUSED = "history-refused";

/**
 * Why a store that writes on its own (PostgreSQL) did not store some readings of an
 * append: the database refused them for their own data (a constraint, a value or text it
 * cannot hold), not for a moment. Every other reading of the append IS stored; `refused`
 * maps the index of each refused reading to the database's error. Retrying them is no use.
 */
export class HistoryPartlyRefused extends Error {
  readonly code = HISTORY_REFUSED;
  constructor(readonly refused: ReadonlyMap<number, Error>) {
    const [first] = refused.values();
    super(`history: the database refused ${refused.size} reading(s), the rest are stored: ${first?.message}`, { cause: first });
    this.name = "HistoryPartlyRefused";
  }
}

export interface HistoryStore {
  /**
   * Stores readings and their roll-ups in one transaction: all of them or, on error, none
   * (but for HistoryPartlyRefused: all of them except those the database refused).
   * `lazy`: nobody waits for the promise soon (a QoS 0 message's reading), so a grouping
   * store may write them a little later with others (broker/mqtt/write-group.ts).
   * `ackSlot`: see AppendOptions.
   */
  append(readings: readonly Reading[], opts?: AppendOptions): Promise<void>;
  /**
   * True when append joins the hub's current write group instead of writing on its own
   * (SQLite history shared with the broker's state, broker/hub-stores.ts): call it in the
   * turn the message arrived, so its row commits with the broker's changes for it.
   */
  readonly groupsAppends?: boolean;
  /** At most maxPoints points, from the tier that fits the range and budget. */
  query(q: HistoryQuery): Promise<HistorySeries>;
  /** What `query` answers, handed to `into` as it is read: its head once, then its points. */
  readSeries(q: HistoryQuery, into: SeriesSink): Promise<void>;
  /** Raw readings of one topic in range, oldest first, at most `limit` of them. */
  readRaw(q: RawQuery): Promise<RawReading[]>;
  /** Every topic with stored history, sorted by topic. */
  topics(): Promise<StoredTopic[]>;
  /** The newest reading of every topic that has one, sorted by topic. */
  latest(): Promise<LatestReading[]>;
  /**
   * Deletes each tier's rows older than its cutoff, in small steps that let other work
   * run in between; returns how many rows went from each tier. An aborted `signal`
   * stops it between steps (the hub shutting down); the next prune finishes the job.
   */
  prune(cutoffs: PruneCutoffs, options?: { signal?: AbortSignal }): Promise<PruneCounts>;
  size(): Promise<StoreSize>;
  close(): Promise<void>;
}

/**
 * Where a chunked raw read stopped: the last row's time and what orders rows of equal
 * time. SQLite: `tie` is the rowid (unique), `skip` 0. PostgreSQL's readings have no row
 * id: `tie` is the value, and `skip` how many rows of exactly (ts, value) were read —
 * such rows are alike in an export, so which of them came first does not matter.
 */
export type RawCursor = { ts: number; tie: number; skip: number };
/** Takes a chunk's readings one at a time, in order: no object per reading (a day's export is 1.7 M rows). */
export type RawSink = (t: number, v: number) => void;
/** How many readings a chunk gave its sink, and where the next chunk starts (null: the range is done). */
export type RawChunk = { count: number; next: RawCursor | null };

/** What the web thread reads history through, from SQLite or PostgreSQL alike. */
export type HistoryReads = Pick<HistoryStore, "query" | "readSeries" | "readRaw" | "topics" | "latest" | "size"> & {
  /**
   * Up to `limit` raw readings of a topic after `after` (from the range's start when
   * null), given to `into`, and the cursor to continue from. Each chunk is a short query
   * of its own, so a long export holds no statement open and other reads run between its chunks.
   */
  readRawChunk(q: RawQuery & { after: RawCursor | null }, into: RawSink): Promise<RawChunk>;
  /** How many raw readings of a topic the range holds, counting no further than `limit`. */
  countRaw(q: RawQuery): Promise<number>;
};

/** A reader of its own (the web thread's): reads, and close. */
export type HistoryReader = HistoryReads & { close(): void | Promise<void> };

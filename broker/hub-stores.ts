// The hub's two durable stores, opened together: history and the broker's state
// (retained messages, sessions, queues, inbound packet ids). The one place that decides
// how their commits relate (issue 12, "acknowledged means stored"; broker/mqtt/README.md,
// "What is promised when"):
// - SQLite history: the broker's tables live in history.sqlite and ONE write group
//   commits both, so a SIGKILL keeps a message's inbound packet id and its reading's
//   row together or neither. An earlier version's data/broker.sqlite is imported once.
// - PostgreSQL history: two databases, two transactions. The broker store is told so
//   (effectsCommitApart): an inbound packet id is stored only after the reading's row
//   has committed, so a crash between them costs at worst a duplicate, never a loss.
//   The broker's state lives in data/broker.sqlite then; the first start on PostgreSQL
//   carries it there from history.sqlite, and back on SQLite that file replaces it.
import path from "node:path";
import type { HubConfig } from "../lib/config";
import { openPgHistory } from "../lib/history/pg-store";
import { historySource, SQLITE_HISTORY_FILE, type OpenedHistory } from "../lib/history/open-history";
import { openDatabase as openHistoryDatabase } from "../lib/history/sqlite-schema";
import { createSqliteHistory } from "../lib/history/sqlite-store";
import type { HistoryStore } from "../lib/history/store";
import { createLogger, type Logger } from "../lib/log";
import { redactUrl } from "../lib/pg/pool";
import { migratePart } from "../lib/sqlite";
import { carryBrokerState, importBrokerFile, LEGACY_BROKER_FILE } from "./mqtt/import-broker-file";
import { attachSqliteBrokerStore, MIGRATIONS, openSqliteBrokerStore, WRITE_FAILED, writesOf } from "./mqtt/sqlite-store";
import type { BrokerStore } from "./mqtt/store";
import { createWriteGroups } from "./mqtt/write-group";

/**
 * How long a group of QoS 0 readings alone (nobody waits for their commit) may wait for
 * more before it is written: one transaction per interval instead of one per event-loop
 * turn (issue 12's fan-in CPU budget). A process crash loses at most this much of
 * unacknowledged QoS 0 history; anything acknowledged is still written at once.
 */
export const LAZY_GROUP_MS = 100;

/**
 * Under load, at most one commit per this many ms (write-group.ts busySpacingMs); an idle
 * writer still commits at once, so a lone PUBACK waits for one commit, no window. A
 * commit costs ~200 µs however few readings it holds and ~3 µs more a reading
 * (bench/tools/group-cost.ts), and committing every turn of the event loop made it a
 * third of the hub's CPU per QoS 1 message (bench/README.md, "QoS 1 pairs: group commit
 * spaced under load"). A PUBACK under load waits at most this much longer.
 */
export const BUSY_GROUP_MS = 2;

export type HubStores = {
  history: HistoryStore;
  broker: BrokerStore;
  opened: OpenedHistory;
  /** Closes both: the broker's state first (it writes what is pending), then history. */
  close(): Promise<void>;
};

export async function openHubStores(
  config: Pick<HubConfig, "dataDir" | "databaseUrl" | "durability">,
  log: Logger,
  brokerLog: Logger = createLogger("broker-store"),
  { lazyGroupMs = LAZY_GROUP_MS }: { lazyGroupMs?: number } = {},
): Promise<HubStores> {
  const source = historySource(config);
  if (source.kind === "postgres") {
    const brokerFile = path.join(config.dataDir, LEGACY_BROKER_FILE);
    await carryBrokerState(path.join(config.dataDir, SQLITE_HISTORY_FILE), brokerFile, brokerLog);
    const history = openPgHistory({ url: source.url, log });
    const broker = openSqliteBrokerStore(brokerFile, { durability: config.durability, log: brokerLog });
    return stores(history, Object.assign(broker, { effectsCommitApart: true }), { store: history, source, where: redactUrl(source.url) });
  }
  const db = openHistoryDatabase(source.file, config.durability);
  const groups = createWriteGroups({ ...writesOf(db), delayMs: 0, lazyDelayMs: lazyGroupMs, busySpacingMs: BUSY_GROUP_MS, log: brokerLog, failureCode: WRITE_FAILED });
  try {
    const history = createSqliteHistory(db, source.file, { groups, closeDb: () => db.close() });
    const broker = attachSqliteBrokerStore(db, groups, undefined, (d) => migratePart(d, "broker", MIGRATIONS));
    await importBrokerFile(path.join(config.dataDir, LEGACY_BROKER_FILE), broker, brokerLog);
    return stores(history, broker, { store: history, source, where: source.file });
  } catch (error) {
    // A failed import's changes wait in the group for a retry: stopped first, or its timer
    // would write to the closed database every few seconds (review-5 finding 13).
    groups.stop();
    db.close();
    throw error;
  }
}

function stores(history: HistoryStore, broker: BrokerStore, opened: OpenedHistory): HubStores {
  return {
    history,
    broker,
    opened,
    async close() {
      try {
        await broker.close();
      } finally {
        await history.close();
      }
    },
  };
}

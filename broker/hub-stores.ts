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
import path from "node:path";
import type { HubConfig } from "../lib/config";
import { openPgHistory } from "../lib/history/pg-store";
import { historySource, type OpenedHistory } from "../lib/history/open-history";
import { openDatabase as openHistoryDatabase } from "../lib/history/sqlite-schema";
import { createSqliteHistory } from "../lib/history/sqlite-store";
import type { HistoryStore } from "../lib/history/store";
import { createLogger, type Logger } from "../lib/log";
import { redactUrl } from "../lib/pg/pool";
import { migratePart } from "../lib/sqlite";
import { importBrokerFile, LEGACY_BROKER_FILE } from "./mqtt/import-broker-file";
import { attachSqliteBrokerStore, MIGRATIONS, openSqliteBrokerStore, WRITE_FAILED, writesOf } from "./mqtt/sqlite-store";
import type { BrokerStore } from "./mqtt/store";
import { createWriteGroups } from "./mqtt/write-group";

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
): Promise<HubStores> {
  const source = historySource(config);
  if (source.kind === "postgres") {
    const history = openPgHistory({ url: source.url, log });
    const broker = openSqliteBrokerStore(path.join(config.dataDir, LEGACY_BROKER_FILE), { durability: config.durability, log: brokerLog });
    return stores(history, Object.assign(broker, { effectsCommitApart: true }), { store: history, source, where: redactUrl(source.url) });
  }
  const db = openHistoryDatabase(source.file, config.durability);
  try {
    const groups = createWriteGroups({ ...writesOf(db), delayMs: 0, log: brokerLog, failureCode: WRITE_FAILED });
    const history = createSqliteHistory(db, source.file, { groups, closeDb: () => db.close() });
    const broker = attachSqliteBrokerStore(db, groups, undefined, (d) => migratePart(d, "broker", MIGRATIONS));
    await importBrokerFile(path.join(config.dataDir, LEGACY_BROKER_FILE), broker, brokerLog);
    return stores(history, broker, { store: history, source, where: source.file });
  } catch (error) {
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

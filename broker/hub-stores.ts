// The hub's two durable stores, opened together: history (SQLite in the data directory,
// or PostgreSQL) and the broker's state (retained messages, sessions, queues, inbound
// packet ids). The one place that decides how their commits relate (issue 12,
// "acknowledged means stored"; broker/mqtt/README.md, "What is promised when").
import path from "node:path";
import type { HubConfig } from "../lib/config";
import { openHistory, type OpenedHistory } from "../lib/history/open-history";
import type { HistoryStore } from "../lib/history/store";
import type { Logger } from "../lib/log";
import { createLogger } from "../lib/log";
import type { BrokerStore } from "./mqtt/store";
import { openSqliteBrokerStore } from "./mqtt/sqlite-store";

export type HubStores = {
  history: HistoryStore;
  broker: BrokerStore;
  opened: OpenedHistory;
  /** Closes both: the broker's state first, so nothing it still writes finds history gone. */
  close(): Promise<void>;
};

export async function openHubStores(
  config: Pick<HubConfig, "dataDir" | "databaseUrl" | "durability">,
  log: Logger,
): Promise<HubStores> {
  const opened = openHistory(config, log);
  const broker = openSqliteBrokerStore(path.join(config.dataDir, "broker.sqlite"), {
    durability: config.durability,
    log: createLogger("broker-store"),
  });
  return {
    history: opened.store,
    broker,
    opened,
    async close() {
      try {
        await broker.close();
      } finally {
        await opened.store.close();
      }
    },
  };
}

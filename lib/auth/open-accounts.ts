// Where the accounts live (issue 14): accounts.sqlite in the data directory by default,
// PostgreSQL when HEARTH_DATABASE_URL (or `databaseUrl`) names one — the same choice as
// history's (lib/history/open-history.ts). The hub, its web thread and the CLI open
// their accounts here and nowhere else.
import path from "node:path";
import type { HubConfig } from "../config";
import type { Logger } from "../log";
import type { AccountStore } from "./account-store";
import { openPgAccountStore } from "./pg-account-store";
import { openSqliteAccountStore, SQLITE_ACCOUNTS_FILE } from "./sqlite-account-store";

export type AccountsSource = { kind: "sqlite"; file: string } | { kind: "postgres"; url: string };

export function accountsSource(config: Pick<HubConfig, "dataDir" | "databaseUrl">): AccountsSource {
  if (config.databaseUrl !== null) return { kind: "postgres", url: config.databaseUrl };
  return { kind: "sqlite", file: path.join(config.dataDir, SQLITE_ACCOUNTS_FILE) };
}

/** `retry: false`: one try at the database, for a command that reports and exits. */
export function openAccounts(source: AccountsSource, log: Logger, options: { retry?: boolean } = {}): AccountStore {
  if (source.kind === "sqlite") return openSqliteAccountStore(source.file);
  return openPgAccountStore({ url: source.url, log, ...(options.retry === false ? { backoff: null } : {}) });
}

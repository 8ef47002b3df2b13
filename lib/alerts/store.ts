// What the alert engine keeps across restarts: rules, each (rule, topic) state,
// and the history of alert events. Synchronous on purpose: the engine applies a
// step and persists it before the next message, so a restart never sees a state
// older than what was published. SQLite (sqlite-alert-store.ts) is the default.
import type { Rule, Severity } from "./rule";
import type { AlertEventKind, AlertReason, AlertState } from "./state-machine";

export type StoredAlert = { ruleId: string; topic: string; state: AlertState };

export type AlertHistoryEntry = {
  id: number;
  ruleId: string;
  /** The rule's name and severity when it happened: history outlives edits and deletes. */
  ruleName: string;
  severity: Severity;
  topic: string;
  kind: AlertEventKind;
  at: number;
  value: number | null;
  reason: AlertReason | null;
  /** For `fired`: whether it was notified, or kept quiet by the rate limit or a snooze. */
  notified: boolean | null;
};

export type NewHistoryEntry = Omit<AlertHistoryEntry, "id">;

export type HistoryFilter = { limit: number; ruleId?: string; topic?: string };

export interface AlertStore {
  listRules(): Rule[];
  /** Inserts or replaces by id. */
  putRule(rule: Rule): void;
  /** For seeding from the config file: never overwrites a rule an admin has edited. */
  insertRuleIfAbsent(rule: Rule): boolean;
  /** Deletes the rule and its alert states; its history stays. */
  deleteRule(id: string): void;
  listAlerts(): StoredAlert[];
  putAlert(alert: StoredAlert): void;
  deleteAlerts(ruleId: string): void;
  appendHistory(entries: readonly NewHistoryEntry[]): void;
  /** Newest first. */
  history(filter: HistoryFilter): AlertHistoryEntry[];
  close(): void;
}

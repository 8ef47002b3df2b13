// What the dashboard's route handlers and pages may ask of the running alert
// engine, from the web thread through lib/hub-api.ts (never by importing broker/),
// where every method answers asynchronously. Every mutation answers with a result
// carrying a stable error code.
import type { Rule, RuleInput } from "./rule";
import type { AlertStatus } from "./state-machine";
import type { AlertHistoryEntry, HistoryFilter } from "./store";
import type { AlertView } from "./view";

export type AlertErrorCode =
  | "rule-not-found"
  | "rule-id-taken"
  | "alert-not-found"
  | "not-firing"
  | "bad-snooze"
  /** The alert store (PostgreSQL) has not opened yet: the engine starts when it does. */
  | "database-unreachable";

export type AlertResult<T> = { ok: true; value: T } | { ok: false; code: AlertErrorCode; message: string };

/** A dry run of a rule against the last message of every matching topic. */
export type RuleTest = {
  topics: { topic: string; value: number | null; status: AlertStatus }[];
};

export interface AlertService {
  rules(): Rule[];
  createRule(input: RuleInput): Promise<AlertResult<Rule>>;
  updateRule(id: string, input: RuleInput): Promise<AlertResult<Rule>>;
  deleteRule(id: string): Promise<AlertResult<null>>;
  testRule(input: RuleInput): RuleTest;
  /** Every alert that is not ok, worst first. */
  alerts(): AlertView[];
  acknowledge(ruleId: string, topic: string): Promise<AlertResult<AlertView>>;
  snooze(ruleId: string, topic: string, until: number): Promise<AlertResult<AlertView>>;
  history(filter: HistoryFilter): AlertHistoryEntry[];
}

// The alert store in its own SQLite file beside the history (`alerts.sqlite`), so
// alerts and history migrate independently. Rules and states are kept as JSON
// and validated on the way back in (stored.ts).
import { createLogger, type Logger } from "../log";
import { openDatabase } from "../sqlite";
import type { Rule } from "./rule";
import { MAX_HISTORY, parseStoredRule, parseStoredState, storedRuleSchema } from "./stored";
import type { AlertHistoryEntry, AlertStore, HistoryFilter, NewHistoryEntry, StoredAlert } from "./store";

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE rules (
    id         TEXT PRIMARY KEY,
    definition TEXT NOT NULL
  );
  CREATE TABLE alerts (
    rule_id TEXT NOT NULL,
    topic   TEXT NOT NULL,
    state   TEXT NOT NULL,
    PRIMARY KEY (rule_id, topic)
  );
  CREATE TABLE events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_id   TEXT NOT NULL,
    rule_name TEXT NOT NULL,
    severity  TEXT NOT NULL,
    topic     TEXT NOT NULL,
    kind      TEXT NOT NULL,
    at        INTEGER NOT NULL,
    value     REAL,
    reason    TEXT,
    notified  INTEGER
  );
  CREATE INDEX events_rule ON events (rule_id, id);
  `,
];

type EventRow = {
  id: number;
  rule_id: string;
  rule_name: string;
  severity: string;
  topic: string;
  kind: string;
  at: number;
  value: number | null;
  reason: string | null;
  notified: number | null;
};

export function openSqliteAlertStore(file: string, log: Logger = createLogger("alerts")): AlertStore {
  const db = openDatabase(file, MIGRATIONS, "alerts");
  const statements = {
    rules: db.prepare<[], { id: string; definition: string }>("SELECT id, definition FROM rules ORDER BY id"),
    putRule: db.prepare<[string, string]>(
      "INSERT INTO rules (id, definition) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET definition = excluded.definition",
    ),
    insertRule: db.prepare<[string, string]>("INSERT INTO rules (id, definition) VALUES (?, ?) ON CONFLICT (id) DO NOTHING"),
    deleteRule: db.prepare<[string]>("DELETE FROM rules WHERE id = ?"),
    alerts: db.prepare<[], { rule_id: string; topic: string; state: string }>("SELECT rule_id, topic, state FROM alerts"),
    putAlert: db.prepare<[string, string, string]>(
      "INSERT INTO alerts (rule_id, topic, state) VALUES (?, ?, ?) ON CONFLICT (rule_id, topic) DO UPDATE SET state = excluded.state",
    ),
    deleteAlerts: db.prepare<[string]>("DELETE FROM alerts WHERE rule_id = ?"),
    insertEvent: db.prepare<[string, string, string, string, string, number, number | null, string | null, number | null]>(
      `INSERT INTO events (rule_id, rule_name, severity, topic, kind, at, value, reason, notified)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    trimEvents: db.prepare<[number]>("DELETE FROM events WHERE id <= (SELECT max(id) FROM events) - ?"),
    history: db.prepare<{ limit: number; ruleId: string | null; topic: string | null }, EventRow>(
      `SELECT * FROM events
        WHERE (@ruleId IS NULL OR rule_id = @ruleId) AND (@topic IS NULL OR topic = @topic)
        ORDER BY id DESC LIMIT @limit`,
    ),
  };

  const deleteRule = db.transaction((id: string) => {
    statements.deleteRule.run(id);
    statements.deleteAlerts.run(id);
  });

  const appendHistory = db.transaction((entries: readonly NewHistoryEntry[]) => {
    for (const e of entries) {
      const notified = e.notified === null ? null : e.notified ? 1 : 0;
      statements.insertEvent.run(e.ruleId, e.ruleName, e.severity, e.topic, e.kind, e.at, e.value, e.reason, notified);
    }
    statements.trimEvents.run(MAX_HISTORY);
  });

  return {
    listRules() {
      const rules: Rule[] = [];
      for (const row of statements.rules.all()) {
        const parsed = parseStoredRule(row.id, row.definition, log);
        if (parsed !== null) rules.push(parsed);
      }
      return rules;
    },
    putRule(rule) {
      statements.putRule.run(storedRuleSchema.parse(rule).id, JSON.stringify(rule));
    },
    insertRuleIfAbsent(rule) {
      return statements.insertRule.run(storedRuleSchema.parse(rule).id, JSON.stringify(rule)).changes > 0;
    },
    deleteRule(id) {
      deleteRule(id);
    },
    listAlerts() {
      const alerts: StoredAlert[] = [];
      for (const row of statements.alerts.all()) {
        const state = parseStoredState(row.rule_id, row.topic, row.state, log);
        if (state !== null) alerts.push({ ruleId: row.rule_id, topic: row.topic, state });
      }
      return alerts;
    },
    putAlert({ ruleId, topic, state }) {
      statements.putAlert.run(ruleId, topic, JSON.stringify(state));
    },
    deleteAlerts(ruleId) {
      statements.deleteAlerts.run(ruleId);
    },
    appendHistory(entries) {
      if (entries.length > 0) appendHistory(entries);
    },
    history({ limit, ruleId, topic }: HistoryFilter): AlertHistoryEntry[] {
      return statements.history.all({ limit, ruleId: ruleId ?? null, topic: topic ?? null }).map((row) => ({
        id: row.id,
        ruleId: row.rule_id,
        ruleName: row.rule_name,
        severity: row.severity as AlertHistoryEntry["severity"],
        topic: row.topic,
        kind: row.kind as AlertHistoryEntry["kind"],
        at: row.at,
        value: row.value,
        reason: row.reason as AlertHistoryEntry["reason"],
        notified: row.notified === null ? null : row.notified === 1,
      }));
    },
    close() {
      db.close();
    },
  };
}

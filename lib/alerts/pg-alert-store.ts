// The alert store on PostgreSQL (issue 14), behind the same synchronous AlertStore as
// SQLite (store-contract.ts proves both). The engine calls it on every step and must
// not wait on a network round trip, so this store keeps what it holds in memory,
// loaded at open, and writes behind: each change is queued in order and committed by
// one writer, a batch per transaction, retried with backoff while the database is
// away. close() finishes the queue.
//
// The difference from SQLite, for the lead to weigh: a crash (not a stop) loses the
// changes still queued, a few milliseconds' worth while the database answers; and
// one process owns the rows (the hub): another instance would not see its changes.
import type pg from "pg";
import { createLogger, type Logger } from "../log";
import { backoffDelay, DEFAULT_BACKOFF, type Backoff } from "../pg/availability";
import { migrate } from "../pg/migrate";
import { inTransaction, openPool, wrapError } from "../pg/pool";
import type { Rule } from "./rule";
import { MAX_HISTORY, parseStoredRule, parseStoredState, storedRuleSchema } from "./stored";
import type { AlertHistoryEntry, AlertStore, StoredAlert } from "./store";

const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE alert_rules (id text COLLATE "C" PRIMARY KEY, definition text NOT NULL);
  CREATE TABLE alert_states (rule_id text NOT NULL, topic text NOT NULL, state text NOT NULL, PRIMARY KEY (rule_id, topic));
  CREATE TABLE alert_events (
    id bigint PRIMARY KEY, rule_id text NOT NULL, rule_name text NOT NULL, severity text NOT NULL,
    topic text NOT NULL, kind text NOT NULL, at bigint NOT NULL, value double precision, reason text, notified boolean
  );
  `,
];

type Write = { sql: string; params: unknown[] };

export type PgAlertStoreOptions = { url: string; schema?: string; log?: Logger; backoff?: Backoff };

export async function openPgAlertStore(options: PgAlertStoreOptions): Promise<AlertStore> {
  const { url, schema, log = createLogger("alerts"), backoff = DEFAULT_BACKOFF } = options;
  const pool = openPool({ url, schema, log, max: 2 });
  let loaded: Awaited<ReturnType<typeof load>>;
  try {
    if (schema !== undefined) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await migrate(pool, "alerts", MIGRATIONS);
    loaded = await load(pool, log);
  } catch (error) {
    await pool.end();
    throw wrapError(error, url);
  }
  const { rules, alerts, events } = loaded;
  let nextId = (events.at(-1)?.id ?? 0) + 1;

  const queue: Write[] = [];
  let writing: Promise<void> | null = null;
  let failures = 0;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let closing = false;

  const write = (sql: string, ...params: unknown[]) => {
    queue.push({ sql, params });
    writing ??= drain();
  };

  /** Commits the queue in order, a batch per transaction; on failure keeps it and retries later. */
  async function drain(): Promise<void> {
    try {
      while (queue.length > 0) {
        const batch = queue.slice(0, 500);
        await inTransaction(pool, async (client) => {
          for (const w of batch) await client.query(w.sql, w.params);
        });
        queue.splice(0, batch.length);
        failures = 0;
      }
    } catch (error) {
      failures++;
      const e = wrapError(error, url);
      const delay = backoffDelay(failures, backoff);
      log.error("could not store alert changes; retrying", { code: e.code, pending: queue.length, retryInMs: delay, error: e.message });
      if (closing) return;
      retry = setTimeout(() => {
        retry = null;
        writing = drain();
      }, delay);
      retry.unref();
      return;
    }
    writing = null;
  }

  const key = (ruleId: string, topic: string) => `${ruleId}\u0000${topic}`;

  /** Kept in memory as SQLite would give it back: parsed, or left out when it does not validate. */
  function remember(id: string, json: string): void {
    const parsed = parseStoredRule(id, json, log);
    if (parsed === null) rules.delete(id);
    else rules.set(id, parsed);
  }

  return {
    listRules: () => [...rules.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    putRule(rule) {
      const id = storedRuleSchema.parse(rule).id;
      const json = JSON.stringify(rule);
      remember(id, json);
      write(UPSERT_RULE, id, json);
    },
    insertRuleIfAbsent(rule) {
      const id = storedRuleSchema.parse(rule).id;
      if (rules.has(id)) return false;
      const json = JSON.stringify(rule);
      remember(id, json);
      write("INSERT INTO alert_rules (id, definition) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING", id, json);
      return true;
    },
    deleteRule(id) {
      rules.delete(id);
      deleteStates(id);
      write("DELETE FROM alert_rules WHERE id = $1", id);
    },
    listAlerts: () => [...alerts.values()],
    putAlert(alert) {
      alerts.set(key(alert.ruleId, alert.topic), alert);
      write(UPSERT_STATE, alert.ruleId, alert.topic, JSON.stringify(alert.state));
    },
    deleteAlerts: deleteStates,
    appendHistory(entries) {
      if (entries.length === 0) return;
      const added = entries.map((e) => ({ ...e, id: nextId++ }));
      events.push(...added);
      if (events.length > MAX_HISTORY) events.splice(0, events.length - MAX_HISTORY);
      write(INSERT_EVENTS, ...eventColumns(added));
      write("DELETE FROM alert_events WHERE id <= $1", nextId - 1 - MAX_HISTORY);
    },
    history({ limit, ruleId, topic }) {
      const out: AlertHistoryEntry[] = [];
      for (let i = events.length - 1; i >= 0 && out.length < limit; i--) {
        const e = events[i];
        if ((ruleId === undefined || e.ruleId === ruleId) && (topic === undefined || e.topic === topic)) out.push({ ...e });
      }
      return out;
    },
    async close() {
      closing = true;
      if (retry !== null) {
        clearTimeout(retry);
        retry = null;
        writing = drain();
      }
      await writing;
      if (queue.length > 0) log.error("closing with alert changes not stored", { pending: queue.length });
      await pool.end();
    },
  };

  function deleteStates(ruleId: string): void {
    for (const [k, a] of alerts) if (a.ruleId === ruleId) alerts.delete(k);
    write("DELETE FROM alert_states WHERE rule_id = $1", ruleId);
  }
}

const UPSERT_RULE = "INSERT INTO alert_rules (id, definition) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET definition = excluded.definition";
const UPSERT_STATE = `INSERT INTO alert_states (rule_id, topic, state) VALUES ($1, $2, $3)
  ON CONFLICT (rule_id, topic) DO UPDATE SET state = excluded.state`;
const INSERT_EVENTS = `INSERT INTO alert_events (id, rule_id, rule_name, severity, topic, kind, at, value, reason, notified)
  SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::float8[], $9::text[], $10::boolean[])`;

function eventColumns(entries: readonly AlertHistoryEntry[]): unknown[][] {
  const fields = ["id", "ruleId", "ruleName", "severity", "topic", "kind", "at", "value", "reason", "notified"] as const;
  return fields.map((f) => entries.map((e) => e[f]));
}

async function load(pool: pg.Pool, log: Logger) {
  const rules = new Map<string, Rule>();
  for (const row of (await pool.query<{ id: string; definition: string }>("SELECT id, definition FROM alert_rules")).rows) {
    const rule = parseStoredRule(row.id, row.definition, log);
    if (rule !== null) rules.set(row.id, rule);
  }
  const alerts = new Map<string, StoredAlert>();
  const states = await pool.query<{ rule_id: string; topic: string; state: string }>("SELECT rule_id, topic, state FROM alert_states");
  for (const row of states.rows) {
    const state = parseStoredState(row.rule_id, row.topic, row.state, log);
    if (state !== null) alerts.set(`${row.rule_id}\u0000${row.topic}`, { ruleId: row.rule_id, topic: row.topic, state });
  }
  const { rows } = await pool.query(
    `SELECT id, rule_id AS "ruleId", rule_name AS "ruleName", severity, topic, kind, at, value, reason, notified
       FROM alert_events ORDER BY id DESC LIMIT $1`,
    [MAX_HISTORY],
  );
  const events = (rows as AlertHistoryEntry[]).reverse();
  return { rules, alerts, events };
}

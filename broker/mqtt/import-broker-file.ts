// Upgrading from a Hearth that kept the broker's state in its own file, data/broker.sqlite
// (before issue 12's crash window was closed): at start, everything in it (retained
// messages, sessions with their subscriptions, queued and in-flight messages, QoS 2
// packet ids) is copied into the store that now holds it, committed, and only then the
// old file is renamed aside, so a restart after the upgrade forgets nothing and a crash
// during the import just imports again (every row is keyed: the copy is idempotent).
import { existsSync, renameSync, rmSync } from "node:fs";
import Database from "better-sqlite3";
import type { Logger } from "../../lib/log";
import { migratePart, openDatabase } from "../../lib/sqlite";
import { MIGRATIONS, openSqliteBrokerStore, readBrokerState } from "./sqlite-store";
import type { BrokerStore, RestoredState } from "./store";

export const LEGACY_BROKER_FILE = "broker.sqlite";
export const IMPORT_FAILED = "broker-import-failed";

/** Imports `file` into `store` if it exists; returns where the old file went, or null when there was none. */
export async function importBrokerFile(file: string, store: BrokerStore, log: Logger): Promise<string | null> {
  if (!existsSync(file)) return null;
  let state: RestoredState;
  try {
    // Opened read-write: its WAL, if a crash left one, is replayed before reading.
    const old = openDatabase(file, MIGRATIONS, "broker state (earlier version)");
    try {
      state = readBrokerState(old);
    } finally {
      old.close();
    }
  } catch (error) {
    // Started without it, the hub would forget every retained state and session: refuse to start, file untouched.
    log.error("cannot import the broker state of an earlier version", { code: IMPORT_FAILED, file, error: (error as Error).message });
    throw error;
  }
  // Replaces, not merges: coming back from PostgreSQL, what history.sqlite still holds from
  // before is older than this file — a retained message cleared since, a session ended
  // since, must not come back (review-5 finding 4). One commit: the old state or the new.
  clearState(await store.load(), store);
  const counts = copyState(state, store);
  await store.commit();
  const aside = `${file}.imported-${Date.now()}`;
  renameSync(file, aside);
  log.info("imported the broker state of an earlier version", { code: "broker-imported", from: file, renamedTo: aside, ...counts });
  return aside;
}

/** Every record of `state` deleted through the store's own mutations (a session with its subscriptions and queues). */
export function clearState(state: RestoredState, store: BrokerStore): void {
  for (const message of state.retained) store.deleteRetained(message.topic);
  for (const session of state.sessions) store.deleteSession(session.clientId);
}

/**
 * The first start on PostgreSQL history: the broker's state, which SQLite history keeps
 * in history.sqlite (hub-stores.ts), moves to `brokerFile`, its home in this mode, so
 * retained states, sessions and queued messages outlive the switch (review-5 finding 4).
 * Written to a side file and renamed into place: a crash midway copies again next start.
 * Returns the counts, or null when there was nothing to carry (or `brokerFile` exists).
 */
export async function carryBrokerState(historyFile: string, brokerFile: string, log: Logger) {
  if (existsSync(brokerFile) || !existsSync(historyFile)) return null;
  let state: RestoredState;
  const history = new Database(historyFile, { fileMustExist: true });
  try {
    const parts = history.prepare("SELECT 1 FROM sqlite_master WHERE name = 'schema_parts'").get();
    if (!parts || !history.prepare("SELECT 1 FROM schema_parts WHERE part = 'broker'").get()) return null;
    migratePart(history, "broker", MIGRATIONS);
    state = readBrokerState(history);
  } finally {
    history.close();
  }
  const partial = `${brokerFile}.partial`;
  for (const f of [partial, `${partial}-wal`, `${partial}-shm`]) rmSync(f, { force: true });
  const target = openSqliteBrokerStore(partial, { log });
  let counts: ReturnType<typeof copyState>;
  try {
    counts = copyState(state, target);
    await target.commit();
  } finally {
    await target.close();
  }
  renameSync(partial, brokerFile);
  log.info("carried the broker's state from history.sqlite for PostgreSQL history", { code: "broker-state-carried", from: historyFile, to: brokerFile, ...counts });
  return counts;
}

/** The pure half: every record through the store's own mutations. */
export function copyState(state: RestoredState, store: BrokerStore) {
  const counts = { retained: state.retained.length, sessions: state.sessions.length, messages: 0 };
  for (const message of state.retained) store.setRetained(message);
  for (const { subscriptions, outgoing, inbound, ...session } of state.sessions) {
    store.saveSession(session);
    for (const subscription of subscriptions) store.saveSubscription(session.clientId, subscription);
    for (const message of outgoing) store.saveOutgoing(session.clientId, message);
    counts.messages += outgoing.length;
    // QoS 2 ids until PUBREL. Not QoS 1: the earlier version kept them after the PUBACK
    // went out, and after a PUBACK the same id is a new message [MQTT-4.3.2-2] (v5 [MQTT-4.3.2-5]).
    for (const id of inbound) if (id.qos === 2) store.addInbound(session.clientId, id);
  }
  return counts;
}

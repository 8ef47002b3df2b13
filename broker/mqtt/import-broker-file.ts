// Upgrading from a Hearth that kept the broker's state in its own file, data/broker.sqlite
// (before issue 12's crash window was closed): at start, everything in it (retained
// messages, sessions with their subscriptions, queued and in-flight messages, QoS 2
// packet ids) is copied into the store that now holds it, committed, and only then the
// old file is renamed aside, so a restart after the upgrade forgets nothing and a crash
// during the import just imports again (every row is keyed: the copy is idempotent).
import { existsSync, renameSync } from "node:fs";
import type { Logger } from "../../lib/log";
import { openDatabase } from "../../lib/sqlite";
import { MIGRATIONS, readBrokerState } from "./sqlite-store";
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
  const counts = copyState(state, store);
  await store.commit();
  const aside = `${file}.imported-${Date.now()}`;
  renameSync(file, aside);
  log.info("imported the broker state of an earlier version", { code: "broker-imported", from: file, renamedTo: aside, ...counts });
  return aside;
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

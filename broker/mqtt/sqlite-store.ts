// The broker's durable state in SQLite: tables in data/history.sqlite, sharing its write
// groups (attachSqliteBrokerStore, broker/hub-stores.ts), or a file of their own
// (data/broker.sqlite when history is on PostgreSQL; tests), in WAL mode, written in
// groups (write-group.ts): every change within a turn of the event loop is one
// transaction, and commit() resolves when the group holding everything so far is
// written. With `durability: "normal"` (synchronous=NORMAL) a written group survives a
// process crash; with "full" it also survives a power cut (README, "What is promised when").
//
// No foreign keys: a session's children are deleted with it explicitly, so one change
// can never fail a whole group for want of a parent row; load() restores only the
// children of sessions whose own row exists.
import type Database from "better-sqlite3";
import type { Durability } from "../../lib/config-schema";
import { createLogger, type Logger } from "../../lib/log";
import { isTransientSqliteError, openDatabase } from "../../lib/sqlite";
import {
  messageFromRow,
  messageRow,
  outgoingFromRow,
  outgoingRow,
  sessionFromRow,
  sessionRow,
  subscriptionFromRow,
  subscriptionRow,
  type MessageRow,
  type OutgoingRow,
  type SessionRow,
  type SubscriptionRow,
} from "./sqlite-rows";
import type { BrokerStore, InboundId, RestoredSession, RestoredState } from "./store";
import { createWriteGroups, type WriteGroupOptions, type WriteGroups } from "./write-group";

export const WRITE_FAILED = "broker-store-write-failed";

const MESSAGE_COLUMNS = `
  topic       TEXT NOT NULL,
  payload     BLOB NOT NULL,
  qos         INTEGER NOT NULL,
  retain      INTEGER NOT NULL,
  properties  TEXT,
  expires_at  INTEGER,
  received_at INTEGER NOT NULL`;

/** Append new steps, never edit old ones: databases in the field are at every version in between. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE retained (${MESSAGE_COLUMNS.replace("topic       TEXT NOT NULL", "topic TEXT PRIMARY KEY")});
  CREATE TABLE sessions (
    client_id        TEXT PRIMARY KEY,
    protocol_version INTEGER NOT NULL,
    expiry_interval  INTEGER NOT NULL,
    disconnected_at  INTEGER,
    will_topic       TEXT,
    will_payload     BLOB,
    will_qos         INTEGER,
    will_retain      INTEGER,
    will_properties  TEXT,
    will_expires_at  INTEGER,
    will_received_at INTEGER,
    will_delay       INTEGER
  );
  CREATE TABLE subscriptions (
    client_id           TEXT NOT NULL,
    filter              TEXT NOT NULL,
    qos                 INTEGER NOT NULL,
    no_local            INTEGER NOT NULL,
    retain_as_published INTEGER NOT NULL,
    retain_handling     INTEGER NOT NULL,
    subscription_id     INTEGER,
    PRIMARY KEY (client_id, filter)
  ) WITHOUT ROWID;
  CREATE TABLE outgoing (
    client_id        TEXT NOT NULL,
    seq              INTEGER NOT NULL,
    copy_qos         INTEGER NOT NULL,
    packet_id        INTEGER,
    state            TEXT NOT NULL,
    subscription_ids TEXT,
    ${MESSAGE_COLUMNS},
    PRIMARY KEY (client_id, seq)
  );
  CREATE TABLE inbound (
    client_id TEXT NOT NULL,
    packet_id INTEGER NOT NULL,
    qos       INTEGER NOT NULL,
    PRIMARY KEY (client_id, packet_id)
  ) WITHOUT ROWID;
  `,
  // Review-8 F7: who made each session. Rows from before have none (NULL): the next
  // principal to resume such a session becomes its owner, its subscriptions re-authorised.
  `ALTER TABLE sessions ADD COLUMN owner TEXT;`,
];

export type SqliteBrokerStoreOptions = {
  durability?: Durability;
  /** 0 (the default): a group is written at setImmediate; else this many ms after its first change. */
  groupDelayMs?: number;
  log?: Logger;
};

export type SqliteBrokerStore = BrokerStore & {
  /** Groups written, changes in them, failed writes, changes waiting: for the bench and $SYS. */
  stats(): ReturnType<WriteGroups["stats"]>;
};

/** The broker's state alone in its own file (tests; the hub when history is PostgreSQL). */
export function openSqliteBrokerStore(file: string, opts: SqliteBrokerStoreOptions = {}): SqliteBrokerStore {
  const { durability = "normal", groupDelayMs = 0, log = createLogger("broker-store") } = opts;
  const db = openDatabase(file, MIGRATIONS, "broker state", durability);
  const groups = createWriteGroups({ ...writesOf(db), delayMs: groupDelayMs, log, failureCode: WRITE_FAILED });
  return attachSqliteBrokerStore(db, groups, () => db.close());
}

/** write-group.ts's transactions on `db`: called inside one, better-sqlite3 makes it a SAVEPOINT. */
export function writesOf(db: Database.Database): Pick<WriteGroupOptions, "transaction" | "transient"> {
  return { transaction: db.transaction((body: () => void) => body()), transient: isTransientSqliteError };
}

/**
 * The broker's state as tables of a database someone else opened, its changes in
 * their write groups: in the hub, history.sqlite, so one transaction holds a message's
 * inbound packet id, its retained and queued copies, and its reading's row (issue 12;
 * broker/hub-stores.ts). The tables are migrated as the part "broker".
 */
export function attachSqliteBrokerStore(
  db: Database.Database,
  groups: WriteGroups,
  closeDb: () => void = () => {},
  migrate: (db: Database.Database) => void = () => {},
): SqliteBrokerStore {
  migrate(db);
  const s = prepare(db);
  let closed = false;

  // Rows are built when the change is made, so a caller changing its object afterwards changes nothing stored.
  const change = (key: string, apply: () => void) => {
    if (closed) throw new Error("broker store: change after close");
    groups.change(key, apply);
  };

  return {
    async load() {
      groups.writeNow();
      return readAll(s);
    },
    setRetained(message) {
      const row = messageRow(message);
      change(`r\0${message.topic}`, () => s.setRetained.run(row));
    },
    deleteRetained(topic) {
      change(`r\0${topic}`, () => s.deleteRetained.run(topic));
    },
    saveSession(session) {
      const row = sessionRow(session);
      change(`s\0${session.clientId}`, () => s.saveSession.run(row));
    },
    deleteSession(clientId) {
      // Its own key, not the session row's: a save after it in the group must still run after the cascade.
      change(`d\0${clientId}`, () => {
        for (const del of s.deleteSession) del.run(clientId);
      });
    },
    saveSubscription(clientId, subscription) {
      const row = subscriptionRow(clientId, subscription);
      change(`u\0${clientId}\0${subscription.filter}`, () => s.saveSubscription.run(row));
    },
    deleteSubscription(clientId, filter) {
      change(`u\0${clientId}\0${filter}`, () => s.deleteSubscription.run(clientId, filter));
    },
    saveOutgoing(clientId, outgoing) {
      const row = outgoingRow(clientId, outgoing);
      change(`o\0${clientId}\0${outgoing.seq}`, () => s.saveOutgoing.run(row));
    },
    deleteOutgoing(clientId, seq) {
      change(`o\0${clientId}\0${seq}`, () => s.deleteOutgoing.run(clientId, seq));
    },
    addInbound(clientId, { packetId, qos }, slot) {
      // The message's history row is applied before this in the same write (its reading joined
      // the group first, lib/history/grouped-append.ts), which tells the slot of a refusal at once.
      change(`i\0${clientId}\0${packetId}`, () => {
        if (slot?.failed == null) s.addInbound.run(clientId, packetId, qos);
      });
    },
    deleteInbound(clientId, packetId) {
      change(`i\0${clientId}\0${packetId}`, () => s.deleteInbound.run(clientId, packetId));
    },
    commit() {
      if (closed) return Promise.reject(new Error("broker store: commit after close"));
      return groups.commit();
    },
    async close() {
      if (closed) return;
      closed = true;
      groups.stop();
      try {
        groups.writeNow();
      } finally {
        closeDb();
      }
    },
    stats: () => groups.stats(),
  };
}

/** Everything a broker store holds, from a database with the broker's tables (start-up, and importing an old broker.sqlite). */
export function readBrokerState(db: Database.Database): RestoredState {
  return readAll(prepare(db));
}

type Statements = ReturnType<typeof prepare>;

function prepare(db: Database.Database) {
  const messageValues = "@topic, @payload, @qos, @retain, @properties, @expires_at, @received_at";
  const messageNames = "topic, payload, qos, retain, properties, expires_at, received_at";
  return {
    setRetained: db.prepare<[MessageRow]>(`INSERT OR REPLACE INTO retained (${messageNames}) VALUES (${messageValues})`),
    deleteRetained: db.prepare<[string]>("DELETE FROM retained WHERE topic = ?"),
    saveSession: db.prepare<[SessionRow]>(
      `INSERT OR REPLACE INTO sessions (client_id, protocol_version, expiry_interval, disconnected_at, will_topic,
         will_payload, will_qos, will_retain, will_properties, will_expires_at, will_received_at, will_delay, owner)
       VALUES (@client_id, @protocol_version, @expiry_interval, @disconnected_at, @will_topic, @will_payload, @will_qos,
         @will_retain, @will_properties, @will_expires_at, @will_received_at, @will_delay, @owner)`,
    ),
    deleteSession: ["sessions", "subscriptions", "outgoing", "inbound"].map((table) =>
      db.prepare<[string]>(`DELETE FROM ${table} WHERE client_id = ?`),
    ),
    saveSubscription: db.prepare<[SubscriptionRow]>(
      `INSERT OR REPLACE INTO subscriptions VALUES (@client_id, @filter, @qos, @no_local, @retain_as_published,
         @retain_handling, @subscription_id)`,
    ),
    deleteSubscription: db.prepare<[string, string]>("DELETE FROM subscriptions WHERE client_id = ? AND filter = ?"),
    saveOutgoing: db.prepare<[OutgoingRow]>(
      `INSERT OR REPLACE INTO outgoing (client_id, seq, copy_qos, packet_id, state, subscription_ids, ${messageNames})
       VALUES (@client_id, @seq, @copy_qos, @packet_id, @state, @subscription_ids, ${messageValues})`,
    ),
    deleteOutgoing: db.prepare<[string, number]>("DELETE FROM outgoing WHERE client_id = ? AND seq = ?"),
    addInbound: db.prepare<[string, number, number]>("INSERT OR REPLACE INTO inbound VALUES (?, ?, ?)"),
    deleteInbound: db.prepare<[string, number]>("DELETE FROM inbound WHERE client_id = ? AND packet_id = ?"),
    retained: db.prepare<[], MessageRow>(`SELECT ${messageNames} FROM retained ORDER BY topic`),
    sessions: db.prepare<[], SessionRow>("SELECT * FROM sessions ORDER BY client_id"),
    subscriptions: db.prepare<[], SubscriptionRow>("SELECT * FROM subscriptions ORDER BY client_id, filter"),
    outgoing: db.prepare<[], OutgoingRow>("SELECT * FROM outgoing ORDER BY client_id, seq"),
    inbound: db.prepare<[], { client_id: string; packet_id: number; qos: number }>(
      "SELECT * FROM inbound ORDER BY client_id, packet_id",
    ),
  };
}

function readAll(s: Statements): RestoredState {
  const sessions = new Map<string, RestoredSession>();
  for (const row of s.sessions.iterate()) {
    sessions.set(row.client_id, { ...sessionFromRow(row), subscriptions: [], outgoing: [], inbound: [] });
  }
  for (const row of s.subscriptions.iterate()) sessions.get(row.client_id)?.subscriptions.push(subscriptionFromRow(row));
  for (const row of s.outgoing.iterate()) sessions.get(row.client_id)?.outgoing.push(outgoingFromRow(row));
  for (const row of s.inbound.iterate()) {
    sessions.get(row.client_id)?.inbound.push({ packetId: row.packet_id, qos: row.qos as InboundId["qos"] });
  }
  return { retained: s.retained.all().map(messageFromRow), sessions: [...sessions.values()] };
}

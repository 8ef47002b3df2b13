// What an account store remembers of sessions, for a database outage (issue 14), and
// what it must no longer answer though the database may still say otherwise (review 5):
//  - finding 6: each thread has its own store; an admin's change on the web thread must
//    reach the hub thread's memory too (HubApi sessions.forget), else an outage brings
//    back a deleted, reset or demoted user's session with its old role;
//  - finding 10: a logout while the database is away cannot delete the session's row;
//    the session is ended here at once and the row's deletion retried.
// The hub thread's memory also keeps the logouts of the web thread, which restarts on a
// crash (review 6, #5), and hands each new web thread the ones whose row is left.
// Pure bookkeeping: the store (account-store.ts) does the reading and deleting.
import type { EndedSession, Session } from "./account-store";

/** Enough for a household's browsers, bounded against a flood of tokens. */
export const MAX_REMEMBERED_SESSIONS = 1000;

/** Adds `key` as the newest; the oldest goes when full. */
function keepBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  if (map.size >= max) map.delete(map.keys().next().value!);
  map.set(key, value);
}

export function createSessionMemory(max = MAX_REMEMBERED_SESSIONS) {
  /** token hash → the session as last read from the database. */
  const lastSeen = new Map<string, Session>();
  /** Ids of sessions ended here or on another thread, whatever their row says. */
  const ended = new Map<string, true>();
  /** Token hashes of ended sessions whose row could not be deleted yet → their ids, when known. */
  const undeleted = new Map<string, string | null>();
  /** Bumped by every forget: a read that began before one is not remembered. */
  let generation = 0;

  const forget = (match: (session: Session) => boolean) => {
    generation++;
    for (const [hash, session] of lastSeen) if (match(session)) lastSeen.delete(hash);
  };

  return {
    /** Taken before reading a session from the database, and given back to `remember`. */
    mark: () => generation,
    /** The session as read (null: none); kept only when nothing was forgotten since `mark`. */
    remember(hash: string, session: Session | null, mark: number): void {
      if (session === null) lastSeen.delete(hash);
      else if (mark === generation) keepBounded(lastSeen, hash, session, max);
    },
    /** The session last read for this token, while the database cannot say. */
    recall: (hash: string): Session | undefined => lastSeen.get(hash),
    /** By its token's hash, its id, or both. */
    isEnded: (hash: string | null, id: string | null): boolean => (hash !== null && undeleted.has(hash)) || (id !== null && ended.has(id)),
    /** The user's role, password or account changed elsewhere: read their sessions again. */
    forgetUser(username: string): void {
      const name = username.toLowerCase();
      forget((session) => session.username.toLowerCase() === name);
    },
    /**
     * Ended (a logout, here or on another thread): never answered again by this store.
     * `rowLeft`: its row could not be deleted, and is to be (`undeleted`).
     */
    end(hash: string | null, id: string | null, rowLeft = false): void {
      if (hash !== null) lastSeen.delete(hash);
      if (id !== null) {
        keepBounded(ended, id, true, max);
        forget((session) => session.id === id);
      }
      if (hash !== null && rowLeft) keepBounded(undeleted, hash, id, max);
    },
    /** Rows to delete again once the database answers. */
    undeleted: (): EndedSession[] => [...undeleted].map(([tokenHash, sessionId]) => ({ tokenHash, sessionId })),
    deleted: (hash: string): void => void undeleted.delete(hash),
  };
}

// The database's state as a signed-out page may see it (review 5, finding 8): the login
// page shows the outage notice too, but not the message, which names the database's
// user, host and name. Types only from watch.ts, so pages import this without pg.
import type { PgErrorCode } from "./pool";
import type { DatabaseStatus } from "./watch";

export type PublicDatabaseStatus = { state: DatabaseStatus["state"]; since: number; code?: PgErrorCode };

export function publicDatabaseStatus(status: DatabaseStatus): PublicDatabaseStatus {
  return status.state === "down" ? { state: status.state, since: status.since, code: status.code } : { state: status.state, since: status.since };
}

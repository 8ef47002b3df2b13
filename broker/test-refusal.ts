// For tests: a real SQLite refusal of a topic's readings, not a stand-in (review-5 #2).
import { join } from "node:path";
import Database from "better-sqlite3";

/** A trigger's constraint fails every new row of `topic` (whose row must exist), on every try, until the returned heal(). */
export function refuseReadingsOf(dataDir: string, topic: string): () => void {
  const db = new Database(join(dataDir, "history.sqlite"));
  db.exec(`CREATE TRIGGER refuse BEFORE INSERT ON readings
             WHEN NEW.topic_id = (SELECT id FROM topics WHERE topic = '${topic}')
           BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END`);
  return () => {
    db.exec("DROP TRIGGER refuse");
    db.close();
  };
}

// A day of readings written straight into a data directory's history.sqlite before the
// hub starts: 20 sensors × 24 h at one a second (1.7 M rows) in a few seconds, with
// their roll-ups, as the recorder would have left them. For the web-thread test and
// the bench's stall section, which need history big enough to hurt.
import path from "node:path";
import { openDatabase } from "../lib/history/sqlite-schema";

export type Seed = { sensors: number; hours: number; /** Epoch ms of the last reading. */ end: number };

export const DAY_OF_READINGS: Omit<Seed, "end"> = { sensors: 20, hours: 24 };

/** The sensors' topics: home/room-01/temperature … */
export const seededTopic = (i: number) => `home/room-${String(i + 1).padStart(2, "0")}/temperature`;

export function seedHistory(dataDir: string, seed: Seed): { rows: number } {
  const db = openDatabase(path.join(dataDir, "history.sqlite"));
  try {
    const seconds = seed.hours * 3600;
    const start = Math.floor(seed.end / 1000) * 1000 - (seconds - 1) * 1000;
    db.transaction(() => {
      const topic = db.prepare("INSERT INTO topics (topic, unit) VALUES (?, '°C')");
      for (let i = 0; i < seed.sensors; i++) topic.run(seededTopic(i));
      // A slow saw-tooth per sensor: values a chart can draw, no two sensors alike.
      db.prepare(
        `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ${seconds - 1})
         INSERT INTO readings (topic_id, ts, value)
         SELECT t.id, ${start} + s.i * 1000, 15 + t.id * 0.5 + (s.i % 3600) / 360.0 FROM topics t, s ORDER BY t.id, s.i`,
      ).run();
      for (const [table, width] of [["rollup_minute", 60_000], ["rollup_hour", 3_600_000]] as const) {
        db.exec(`INSERT INTO ${table} (topic_id, start, min, max, sum, count)
                 SELECT topic_id, (ts / ${width}) * ${width}, min(value), max(value), sum(value), count(*)
                   FROM readings GROUP BY topic_id, ts / ${width}`);
      }
    })();
    return { rows: seed.sensors * seconds };
  } finally {
    db.close();
  }
}

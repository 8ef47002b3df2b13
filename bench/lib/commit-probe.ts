// Checks, while a flow runs, that the hub's PUBACK still waits for the commit (issue 12,
// "acknowledged means stored"): a client publishes numbered QoS 1 readings to a topic of
// its own, and the moment each PUBACK arrives it looks for the reading in the hub's history
// database through a read-only connection of its own. SQLite in WAL mode shows another
// connection only committed transactions, so a reading found there was committed before
// its PUBACK reached the client. Bounded in count; the bench process runs it.
import Database from "better-sqlite3";
import { connect } from "./mqtt-load";

export const PROBE_TOPIC = "home/bench-commit-probe/temperature";
/** A probe every 5 ms: ~200 over a one-second flow, a trickle beside the flow's tens of thousands. */
const INTERVAL_MS = 5;
const MAX_PROBES = 1_000;
/** Values no bench lane sends, so a row found is the probe's own. */
const FIRST_VALUE = 900_000;

export type ProbeResult = { sent: number; acked: number; committedAtAck: number };

export async function startCommitProbe(mqttUrl: string, historyFile: string): Promise<{ stop(): Promise<ProbeResult> }> {
  const db = new Database(historyFile, { readonly: true, fileMustExist: true });
  const find = db.prepare("SELECT count(*) AS n FROM readings r JOIN topics t ON t.id = r.topic_id WHERE t.topic = ? AND r.value = ?");
  const client = await connect(mqttUrl, "commit-probe");
  const result: ProbeResult = { sent: 0, acked: 0, committedAtAck: 0 };
  const pending = new Set<Promise<void>>();
  const timer = setInterval(() => {
    if (result.sent >= MAX_PROBES) return;
    const value = FIRST_VALUE + result.sent++;
    const acked = client
      .publishAsync(PROBE_TOPIC, String(value), { qos: 1 })
      .then(() => {
        result.acked++;
        if ((find.get(PROBE_TOPIC, value) as { n: number }).n > 0) result.committedAtAck++;
      })
      .catch(() => {});
    pending.add(acked);
    void acked.finally(() => pending.delete(acked));
  }, INTERVAL_MS);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 5_000))]);
      await client.endAsync(true).catch(() => {});
      db.close();
      return result;
    },
  };
}

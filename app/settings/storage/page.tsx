import { getHub } from "@/lib/hub-registry";
import type { StoreSize } from "@/lib/history/store";

// Sizes change with every write: read them per request.
export const dynamic = "force-dynamic";
export const metadata = { title: "Storage · Hearth" };

function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${u === 0 ? n : n.toFixed(1)} ${units[u]}`;
}

const count = new Intl.NumberFormat("en");

async function readSize(): Promise<{ size: StoreSize } | { error: string }> {
  const hub = getHub();
  if (hub === null) return { error: "The hub is not running in this process." };
  try {
    return { size: await hub.history.size() };
  } catch (error) {
    console.error("hearth: could not measure the history store:", error);
    return { error: "The history store could not be measured; see the hub's log." };
  }
}

export default async function StoragePage() {
  const hub = getHub();
  const result = await readSize();
  const retention = hub?.historyInfo.retention;
  return (
    <div className="flex max-w-2xl flex-col gap-6">
      <h1 className="text-2xl font-bold">Storage</h1>
      {"error" in result ? (
        <p role="alert" className="text-danger">
          {result.error}
        </p>
      ) : (
        <section className="rounded-2xl border border-line bg-surface p-4 shadow-sm">
          <h2 className="text-lg font-semibold">History database</h2>
          <p className="mt-2 text-3xl font-semibold tabular-nums" data-testid="history-size" data-bytes={result.size.bytes}>
            {formatBytes(result.size.bytes)}
          </p>
          <p className="text-sm text-muted">on disk, in {hub?.historyInfo.file}</p>
          {result.size.freeBytes > 0 && (
            <p className="text-sm text-muted">
              {formatBytes(result.size.freeBytes)} of it was freed by pruning and is reused by new readings before the
              file grows again.
            </p>
          )}
          <dl className="mt-4 grid grid-cols-[auto_1fr] gap-x-6 gap-y-1 text-sm">
            <dt className="text-muted">Topics</dt>
            <dd className="tabular-nums">{count.format(result.size.topics)}</dd>
            <dt className="text-muted">Raw readings</dt>
            <dd className="tabular-nums" data-testid="rows-raw">{count.format(result.size.rows.raw)}</dd>
            <dt className="text-muted">Per-minute roll-ups</dt>
            <dd className="tabular-nums">{count.format(result.size.rows.minute)}</dd>
            <dt className="text-muted">Per-hour roll-ups</dt>
            <dd className="tabular-nums">{count.format(result.size.rows.hour)}</dd>
          </dl>
        </section>
      )}
      {retention && (
        <section className="rounded-2xl border border-line bg-surface p-4 shadow-sm">
          <h2 className="text-lg font-semibold">Retention</h2>
          <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-6 gap-y-1 text-sm">
            <dt className="text-muted">Raw readings</dt>
            <dd>{retention.rawRetentionHours} hours</dd>
            <dt className="text-muted">Per-minute roll-ups</dt>
            <dd>{retention.minuteRetentionDays} days</dd>
            <dt className="text-muted">Per-hour roll-ups</dt>
            <dd>{retention.hourRetentionDays} days</dd>
            <dt className="text-muted">Pruned every</dt>
            <dd>{retention.pruneIntervalMinutes} minutes</dd>
          </dl>
          <p className="mt-3 text-xs text-muted">
            Set with HEARTH_RETENTION_HOURS, HEARTH_MINUTE_RETENTION_DAYS, HEARTH_HOUR_RETENTION_DAYS and
            HEARTH_PRUNE_INTERVAL_MINUTES, or the <code>history</code> section of hearth.config.json.
          </p>
        </section>
      )}
    </div>
  );
}

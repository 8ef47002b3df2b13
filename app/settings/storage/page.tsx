import type { Metadata } from "next";
import { getHub } from "@/lib/hub-link";
import { getLocale } from "@/lib/i18n/server";
import { createTranslator, type Translate } from "@/lib/i18n/translate";
import type { StoreSize } from "@/lib/history/store";

// Sizes change with every write: read them per request.
export const dynamic = "force-dynamic";
export async function generateMetadata(): Promise<Metadata> {
  return { title: `${createTranslator(await getLocale())("page.storage.title")} · Hearth` };
}

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

async function readSize(t: Translate): Promise<{ size: StoreSize } | { error: string }> {
  const hub = getHub();
  if (hub === null) return { error: t("page.storage.noHub") };
  try {
    return { size: await hub.history.size() };
  } catch (error) {
    console.error("hearth: could not measure the history store:", error);
    return { error: t("page.storage.unmeasured") };
  }
}

export default async function StoragePage() {
  const hub = getHub();
  const locale = await getLocale();
  const t = createTranslator(locale);
  const count = new Intl.NumberFormat(locale);
  const result = await readSize(t);
  const retention = hub?.historyInfo.retention;
  return (
    <div className="flex max-w-2xl flex-col gap-6">
      <h1 className="text-2xl font-bold">{t("page.storage.title")}</h1>
      {"error" in result ? (
        <p role="alert" className="text-danger">
          {result.error}
        </p>
      ) : (
        <section className="rounded-2xl border border-line bg-surface p-4 shadow-sm">
          <h2 className="text-lg font-semibold">{t("page.storage.database")}</h2>
          <p className="mt-2 text-3xl font-semibold tabular-nums" data-testid="history-size" data-bytes={result.size.bytes}>
            {formatBytes(result.size.bytes)}
          </p>
          <p className="text-sm text-muted">{t("page.storage.onDisk", { file: hub?.historyInfo.file ?? "" })}</p>
          {result.size.freeBytes > 0 && (
            <p className="text-sm text-muted">
              {t("page.storage.freed", { size: formatBytes(result.size.freeBytes) })}
            </p>
          )}
          <dl className="mt-4 grid grid-cols-[auto_1fr] gap-x-6 gap-y-1 text-sm">
            <dt className="text-muted">{t("page.storage.topics")}</dt>
            <dd className="tabular-nums">{count.format(result.size.topics)}</dd>
            <dt className="text-muted">{t("page.storage.raw")}</dt>
            <dd className="tabular-nums" data-testid="rows-raw">{count.format(result.size.rows.raw)}</dd>
            <dt className="text-muted">{t("page.storage.minute")}</dt>
            <dd className="tabular-nums">{count.format(result.size.rows.minute)}</dd>
            <dt className="text-muted">{t("page.storage.hour")}</dt>
            <dd className="tabular-nums">{count.format(result.size.rows.hour)}</dd>
          </dl>
        </section>
      )}
      {retention && (
        <section className="rounded-2xl border border-line bg-surface p-4 shadow-sm">
          <h2 className="text-lg font-semibold">{t("page.storage.retention")}</h2>
          <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-6 gap-y-1 text-sm">
            <dt className="text-muted">{t("page.storage.raw")}</dt>
            <dd>{t("page.storage.hours", { n: retention.rawRetentionHours })}</dd>
            <dt className="text-muted">{t("page.storage.minute")}</dt>
            <dd>{t("page.storage.days", { n: retention.minuteRetentionDays })}</dd>
            <dt className="text-muted">{t("page.storage.hour")}</dt>
            <dd>{t("page.storage.days", { n: retention.hourRetentionDays })}</dd>
            <dt className="text-muted">{t("page.storage.prunedEvery")}</dt>
            <dd>{t("page.storage.minutes", { n: retention.pruneIntervalMinutes })}</dd>
          </dl>
          <p className="mt-3 text-xs text-muted">
            {t("page.storage.settingsHint")}
          </p>
        </section>
      )}
    </div>
  );
}

import { getT } from "@/lib/i18n/server";

/** A one-button form that removes one named thing through a server action. */
export async function RemoveButton({ action, field, value }: { action: (form: FormData) => Promise<void>; field: string; value: string }) {
  const t = await getT();
  return (
    <form action={action}>
      <input type="hidden" name={field} value={value} />
      <button type="submit" aria-label={t("settings.removeName", { name: value })} className="rounded-md border border-danger px-2 py-1 text-sm text-danger">
        {t("settings.remove")}
      </button>
    </form>
  );
}

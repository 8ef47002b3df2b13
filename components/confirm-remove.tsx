"use client";

// Removing a person or a device account asks first (issue 15): the first click
// turns the button into "Remove <name>? Yes / Cancel"; a refusal (the last admin)
// is shown beside it.
import { useActionState, useState } from "react";
import type { SettingsState } from "@/app/settings/actions";
import { FormOutcome } from "@/components/form-outcome";
import { useT } from "@/components/use-t";

export function ConfirmRemove({
  action,
  field,
  value,
}: {
  action: (state: SettingsState, form: FormData) => Promise<SettingsState>;
  field: string;
  value: string;
}) {
  const t = useT();
  const [asking, setAsking] = useState(false);
  const [state, formAction, pending] = useActionState(async (previous: SettingsState, form: FormData) => {
    const answer = await action(previous, form);
    setAsking(false);
    return answer;
  }, { error: null, message: null });
  return (
    <form action={formAction} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name={field} value={value} />
      {asking ? (
        <>
          <span className="text-sm" role="alertdialog" aria-label={t("settings.removeConfirm", { name: value })}>
            {t("settings.removeConfirm", { name: value })}
          </span>
          <button type="submit" disabled={pending} className="rounded-md bg-danger px-2 py-1 text-sm font-semibold text-surface">
            {t("settings.removeYes")}
          </button>
          <button type="button" onClick={() => setAsking(false)} className="rounded-md border border-line px-2 py-1 text-sm">
            {t("settings.cancel")}
          </button>
        </>
      ) : (
        <button
          type="button"
          onClick={() => setAsking(true)}
          aria-label={t("settings.removeName", { name: value })}
          className="rounded-md border border-danger px-2 py-1 text-sm text-danger"
        >
          {t("settings.remove")}
        </button>
      )}
      <FormOutcome state={state} />
    </form>
  );
}

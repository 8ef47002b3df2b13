"use client";

// A settings form: labelled fields and the action's message or error.
import { useActionState } from "react";
import type { SettingsState } from "@/app/settings/actions";
import { FormOutcome } from "@/components/form-outcome";

export type SettingsField =
  | { name: string; label: string; type: "text" | "password"; placeholder?: string; required?: boolean; autoComplete?: string }
  | { name: string; label: string; type: "select"; options: readonly { value: string; label: string }[] };

export function SettingsForm({
  action,
  fields,
  submitLabel,
}: {
  action: (state: SettingsState, form: FormData) => Promise<SettingsState>;
  fields: SettingsField[];
  submitLabel: string;
}) {
  const [state, formAction, pending] = useActionState(action, { error: null, message: null });
  return (
    <form action={formAction} className="flex flex-col gap-3 rounded-lg border border-line bg-surface p-4">
      <div className="flex flex-wrap items-end gap-3">
        {fields.map((field) => (
          <label key={field.name} className="flex flex-col gap-1 text-sm font-medium">
            {field.label}
            {field.type === "select" ? (
              <select name={field.name} aria-label={field.label} className="rounded-md border border-line bg-canvas px-3 py-2 font-normal">
                {field.options.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            ) : (
              <input
                name={field.name}
                aria-label={field.label}
                type={field.type}
                placeholder={field.placeholder}
                required={field.required ?? true}
                autoComplete={field.autoComplete ?? "off"}
                className="rounded-md border border-line bg-canvas px-3 py-2 font-normal"
              />
            )}
          </label>
        ))}
        <button type="submit" disabled={pending} className="rounded-md bg-accent px-4 py-2 font-semibold text-surface disabled:opacity-60">
          {submitLabel}
        </button>
      </div>
      <FormOutcome state={state} />
    </form>
  );
}

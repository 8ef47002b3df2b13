"use client";

// A settings form: labelled fields, the action's message or error, and a secret
// (a new device's password) shown once, ready to copy.
import { useActionState } from "react";
import type { SettingsState } from "@/app/settings/actions";

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
      {state.error && (
        <p data-testid="form-error" role="alert" className="text-sm text-danger">
          {state.error}
        </p>
      )}
      {state.message && (
        <p data-testid="form-message" role="status" className="text-sm">
          {state.message}
          {state.secret && (
            <code data-testid="secret" className="ml-2 rounded bg-canvas px-2 py-1 font-mono select-all">
              {state.secret}
            </code>
          )}
        </p>
      )}
    </form>
  );
}

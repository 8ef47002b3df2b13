"use client";

// The login and onboarding forms: labelled fields, the server action's message
// shown in an alert, the button disabled while the action runs.
import { useActionState } from "react";
import type { FormState } from "@/app/login/actions";

type Field = { name: string; label: string; type: "text" | "password"; autoComplete: string };

export function AuthForm({
  action,
  fields,
  submitLabel,
  next,
}: {
  action: (state: FormState, form: FormData) => Promise<FormState>;
  fields: Field[];
  submitLabel: string;
  next?: string;
}) {
  const [state, formAction, pending] = useActionState(action, { error: null });
  return (
    <form action={formAction} className="flex flex-col gap-4">
      {next && <input type="hidden" name="next" value={next} />}
      {fields.map((field, i) => (
        <label key={field.name} className="flex flex-col gap-1 text-sm font-medium">
          {field.label}
          <input
            name={field.name}
            type={field.type}
            autoComplete={field.autoComplete}
            required
            autoFocus={i === 0}
            defaultValue={field.name === "username" ? state.username : undefined}
            className="rounded-md border border-line bg-surface px-3 py-2 text-base font-normal"
          />
        </label>
      ))}
      {state.error && (
        <p role="alert" data-testid="form-error" className="rounded-md border border-danger px-3 py-2 text-sm text-danger">
          {state.error}
        </p>
      )}
      <button
        type="submit"
        disabled={pending}
        className="rounded-md bg-accent px-4 py-2 font-semibold text-surface disabled:opacity-60"
      >
        {pending ? "…" : submitLabel}
      </button>
    </form>
  );
}

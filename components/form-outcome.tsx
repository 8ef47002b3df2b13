"use client";

// What a settings action answered: its message, or its error with the stable code.
import type { SettingsState } from "@/app/settings/actions";

export function FormOutcome({ state }: { state: SettingsState }) {
  if (state.error) {
    return (
      <p data-testid="form-error" data-code={state.code} role="alert" className="text-sm text-danger">
        {state.error}
      </p>
    );
  }
  if (state.message) {
    return (
      <p data-testid="form-message" role="status" className="text-sm">
        {state.message}
      </p>
    );
  }
  return null;
}

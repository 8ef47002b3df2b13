"use client";

// Adding a device account. The topics placeholder follows the name as it is typed
// and shows the default the account will get (lib/auth/device-setup.ts), so
// "kitchen-sensor" is visibly given home/kitchen/#. The new password is shown
// once, with a copy button and a mosquitto_pub line for this hub.
import { useActionState, useState } from "react";
import { addDevice, type SettingsState } from "@/app/settings/actions";
import { CopyButton } from "@/components/copy-button";
import { FormOutcome } from "@/components/form-outcome";
import { useT } from "@/components/use-t";
import { defaultDeviceTopics } from "@/lib/auth/device-setup";

const EXAMPLE_NAME = "kitchen-sensor";
const field = "rounded-md border border-line bg-canvas px-3 py-2 font-normal";

export function DeviceAccountForm() {
  const t = useT();
  const [name, setName] = useState("");
  const [state, action, pending] = useActionState(addDevice, { error: null, message: null });
  const topicsDefault = defaultDeviceTopics(name.trim() || EXAMPLE_NAME).join(" ");
  return (
    <form action={action} className="flex flex-col gap-3 rounded-lg border border-line bg-surface p-4">
      <div className="flex flex-wrap items-end gap-3">
        <label className="flex flex-col gap-1 text-sm font-medium">
          {t("settings.devices.name")}
          <input name="name" required autoComplete="off" placeholder={EXAMPLE_NAME} value={name} onChange={(e) => setName(e.target.value)} className={field} />
        </label>
        <label className="flex flex-col gap-1 text-sm font-medium">
          {t("settings.devices.topicsOptional")}
          <input name="topics" autoComplete="off" placeholder={topicsDefault} aria-describedby="device-topics-hint" className={field} />
        </label>
        <button type="submit" disabled={pending} className="rounded-md bg-accent px-4 py-2 font-semibold text-surface disabled:opacity-60">
          {t("settings.devices.add")}
        </button>
      </div>
      <p id="device-topics-hint" className="text-sm text-muted">
        {t("settings.devices.topicsHint", { topics: topicsDefault })}
      </p>
      <FormOutcome state={state} />
      {state.secret && <NewDeviceSecret password={state.secret} setup={state.setup} />}
    </form>
  );
}

function NewDeviceSecret({ password, setup }: { password: string; setup?: string }) {
  const t = useT();
  return (
    <div className="flex flex-col gap-2 rounded-md border border-accent p-3 text-sm">
      <Copyable testId="secret" text={password} label={t("settings.devices.copyPassword")} />
      {setup && (
        <>
          <span>{t("settings.devices.tryIt")}</span>
          <Copyable testId="setup-command" text={setup} label={t("settings.devices.copyCommand")} />
        </>
      )}
    </div>
  );
}

/** Text to paste somewhere else, selectable, with its copy button. */
function Copyable({ testId, text, label }: { testId: string; text: string; label: string }) {
  return (
    <span className="flex flex-wrap items-start gap-2">
      <code data-testid={testId} className="min-w-0 flex-1 rounded bg-canvas px-2 py-1 font-mono break-all select-all">
        {text}
      </code>
      <CopyButton text={text} label={label} />
    </span>
  );
}

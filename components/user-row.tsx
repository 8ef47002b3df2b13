"use client";

// One person in the users list: their role (a refused change, such as demoting the
// last admin, is said beside it), a new password, and removal after a confirmation.
import { useActionState, useState } from "react";
import { removeUser, resetPassword, setUserRole, type SettingsState } from "@/app/settings/actions";
import { ConfirmRemove } from "@/components/confirm-remove";
import { FormOutcome } from "@/components/form-outcome";
import { useT } from "@/components/use-t";
import { ROLES, type Role } from "@/lib/auth/roles";

const idle: SettingsState = { error: null, message: null };
const small = "rounded-md border border-line px-2 py-1 text-sm";

export function UserRow({ username, role, minPasswordLength }: { username: string; role: Role; minPasswordLength: number }) {
  const t = useT();
  const [roleState, roleAction] = useActionState(setUserRole, idle);
  return (
    <li data-user={username} className="flex flex-col gap-2 px-4 py-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <span className="font-medium">{username}</span>
        <form action={roleAction} className="flex items-center gap-2">
          <input type="hidden" name="username" value={username} />
          <select name="role" defaultValue={role} aria-label={t("settings.users.roleOf", { name: username })} className="rounded-md border border-line bg-canvas px-2 py-1 text-sm">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
          <button type="submit" className={small}>
            {t("settings.users.save")}
          </button>
        </form>
      </div>
      <FormOutcome state={roleState} />
      <div className="flex flex-wrap items-start justify-between gap-3">
        <PasswordReset username={username} minPasswordLength={minPasswordLength} />
        <ConfirmRemove action={removeUser} field="username" value={username} />
      </div>
    </li>
  );
}

function PasswordReset({ username, minPasswordLength }: { username: string; minPasswordLength: number }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const [state, action, pending] = useActionState(resetPassword, idle);
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)} className={small}>
        {t("settings.users.resetPassword")}
      </button>
    );
  }
  return (
    <form action={action} className="flex flex-col gap-2">
      <input type="hidden" name="username" value={username} />
      <span className="flex flex-wrap items-center gap-2">
        <input
          name="password"
          type="password"
          required
          autoComplete="new-password"
          aria-label={t("settings.users.newPasswordFor", { name: username })}
          placeholder={t("settings.users.newPassword", { n: minPasswordLength })}
          className="rounded-md border border-line bg-canvas px-2 py-1 text-sm"
        />
        <button type="submit" disabled={pending} className={small}>
          {t("settings.users.setPassword")}
        </button>
        <button type="button" onClick={() => setOpen(false)} className={small}>
          {t("settings.cancel")}
        </button>
      </span>
      <FormOutcome state={state} />
    </form>
  );
}

import { RemoveButton } from "@/components/remove-button";
import { SettingsForm } from "@/components/settings-form";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/account-store";
import { ROLES } from "@/lib/auth/roles";
import { getHub } from "@/lib/hub-link";
import { getT } from "@/lib/i18n/server";
import { addUser, removeUser, setUserRole } from "../actions";

export default async function UsersPage() {
  const users = getHub()?.accounts.listUsers() ?? [];
  const t = await getT();
  return (
    <>
      <h1 className="mb-2 text-2xl font-bold">{t("settings.users.title")}</h1>
      <p className="mb-4 text-sm text-muted">{t("settings.users.intro")}</p>
      <ul className="mb-6 divide-y divide-line rounded-lg border border-line bg-surface">
        {users.map((user) => (
          <li key={user.username} data-user={user.username} className="flex flex-wrap items-center justify-between gap-3 px-4 py-2">
            <span className="font-medium">{user.username}</span>
            <span className="flex items-center gap-2">
              <form action={setUserRole} className="flex items-center gap-2">
                <input type="hidden" name="username" value={user.username} />
                <select name="role" defaultValue={user.role} aria-label={t("settings.users.roleOf", { name: user.username })} className="rounded-md border border-line bg-canvas px-2 py-1 text-sm">
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {t(`role.${r}`)}
                    </option>
                  ))}
                </select>
                <button type="submit" className="rounded-md border border-line px-2 py-1 text-sm">
                  {t("settings.users.save")}
                </button>
              </form>
              <RemoveButton action={removeUser} field="username" value={user.username} />
            </span>
          </li>
        ))}
      </ul>
      <h2 className="mb-2 font-semibold">{t("settings.users.addTitle")}</h2>
      <SettingsForm
        action={addUser}
        submitLabel={t("settings.users.add")}
        fields={[
          { name: "username", label: t("settings.users.username"), type: "text" },
          { name: "password", label: t("settings.users.password", { n: MIN_PASSWORD_LENGTH }), type: "password", autoComplete: "new-password" },
          { name: "role", label: t("settings.users.role"), type: "select", options: ROLES.map((r) => ({ value: r, label: t(`role.${r}`) })) },
        ]}
      />
    </>
  );
}

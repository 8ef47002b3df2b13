import { SettingsForm } from "@/components/settings-form";
import { UserRow } from "@/components/user-row";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/account-store";
import { ROLES } from "@/lib/auth/roles";
import { getHub } from "@/lib/hub-link";
import { getT } from "@/lib/i18n/server";
import { addUser } from "../actions";

export default async function UsersPage() {
  const users = (await getHub()?.accounts.listUsers()) ?? [];
  const t = await getT();
  return (
    <>
      <h1 className="mb-2 text-2xl font-bold">{t("settings.users.title")}</h1>
      <p className="mb-4 text-sm text-muted">{t("settings.users.intro")}</p>
      <ul className="mb-6 divide-y divide-line rounded-lg border border-line bg-surface">
        {users.map((user) => (
          <UserRow key={user.username} username={user.username} role={user.role} minPasswordLength={MIN_PASSWORD_LENGTH} />
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

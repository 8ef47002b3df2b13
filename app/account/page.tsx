import type { Metadata } from "next";
import { changeOwnPassword } from "@/app/settings/actions";
import { SettingsForm } from "@/components/settings-form";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/account-store";
import { requireRoleOrRedirect } from "@/lib/auth/current-user";
import { getT } from "@/lib/i18n/server";

export const dynamic = "force-dynamic";
export async function generateMetadata(): Promise<Metadata> {
  return { title: `${(await getT())("settings.account.title")} · Hearth` };
}

/** Your own account, for every role: who you are and a new password. */
export default async function AccountPage() {
  const me = await requireRoleOrRedirect("viewer");
  const t = await getT();
  return (
    <div className="mx-auto max-w-3xl">
      <h1 className="mb-2 text-2xl font-bold">{t("settings.account.title")}</h1>
      <p className="mb-4 text-sm text-muted">{t("settings.account.intro", { name: me.username, role: t(`role.${me.role}`) })}</p>
      <h2 className="mb-2 font-semibold">{t("settings.account.changeTitle")}</h2>
      <SettingsForm
        action={changeOwnPassword}
        submitLabel={t("settings.account.change")}
        fields={[
          { name: "current", label: t("settings.account.current"), type: "password", autoComplete: "current-password" },
          { name: "password", label: t("settings.users.newPassword", { n: MIN_PASSWORD_LENGTH }), type: "password", autoComplete: "new-password" },
          { name: "confirm", label: t("auth.repeatPassword"), type: "password", autoComplete: "new-password" },
        ]}
      />
    </div>
  );
}

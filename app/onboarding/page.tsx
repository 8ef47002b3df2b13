import { redirect } from "next/navigation";
import { AuthForm } from "@/components/auth-form";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/account-store";
import { getHub } from "@/lib/hub-link";
import { getT } from "@/lib/i18n/server";
import { createFirstAdmin } from "../login/actions";

export const dynamic = "force-dynamic";

export default async function OnboardingPage() {
  // Only the very first visitor to a hub with no accounts sees this page.
  if (((await getHub()?.accounts.userCount().catch(() => 1)) ?? 1) > 0) redirect("/login");
  const t = await getT();
  return (
    <div className="mx-auto mt-16 max-w-sm">
      <h1 className="mb-2 text-2xl font-bold">{t("page.onboarding.title")}</h1>
      <p className="mb-6 text-muted">{t("page.onboarding.intro", { n: MIN_PASSWORD_LENGTH })}</p>
      <AuthForm
        action={createFirstAdmin}
        submitLabel={t("page.onboarding.submit")}
        fields={[
          { name: "username", label: t("auth.username"), type: "text", autoComplete: "username" },
          { name: "password", label: t("auth.password"), type: "password", autoComplete: "new-password" },
          { name: "confirm", label: t("auth.repeatPassword"), type: "password", autoComplete: "new-password" },
        ]}
      />
    </div>
  );
}

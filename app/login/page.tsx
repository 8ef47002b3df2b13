import { redirect } from "next/navigation";
import { AuthForm } from "@/components/auth-form";
import { currentUser } from "@/lib/auth/current-user";
import { getHub } from "@/lib/hub-link";
import { getT } from "@/lib/i18n/server";
import { login } from "./actions";

export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  // The very first start has no account yet: onboarding creates the admin.
  // A database that is away counts as "has users": the page and its notice say the rest.
  if ((await getHub()?.accounts.userCount().catch(() => 1)) === 0) redirect("/onboarding");
  if (await currentUser()) redirect("/");
  const { next } = await searchParams;
  const t = await getT();
  return (
    <div className="mx-auto mt-16 max-w-sm">
      <h1 className="mb-6 text-2xl font-bold">{t("page.login.title")}</h1>
      <AuthForm
        action={login}
        next={next}
        submitLabel={t("page.login.submit")}
        fields={[
          { name: "username", label: t("auth.username"), type: "text", autoComplete: "username" },
          { name: "password", label: t("auth.password"), type: "password", autoComplete: "current-password" },
        ]}
      />
    </div>
  );
}

import { redirect } from "next/navigation";
import { AuthForm } from "@/components/auth-form";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/account-store";
import { getHub } from "@/lib/hub-registry";
import { createFirstAdmin } from "../login/actions";

export const dynamic = "force-dynamic";

export default async function OnboardingPage() {
  // Only the very first visitor to a hub with no accounts sees this page.
  if ((getHub()?.accounts.userCount() ?? 1) > 0) redirect("/login");
  return (
    <div className="mx-auto mt-16 max-w-sm">
      <h1 className="mb-2 text-2xl font-bold">Welcome to Hearth</h1>
      <p className="mb-6 text-muted">
        Create the admin account. It manages users and device accounts; its password needs at least{" "}
        {MIN_PASSWORD_LENGTH} characters.
      </p>
      <AuthForm
        action={createFirstAdmin}
        submitLabel="Create admin account"
        fields={[
          { name: "username", label: "Username", type: "text", autoComplete: "username" },
          { name: "password", label: "Password", type: "password", autoComplete: "new-password" },
          { name: "confirm", label: "Repeat password", type: "password", autoComplete: "new-password" },
        ]}
      />
    </div>
  );
}

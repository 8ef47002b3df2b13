import Link from "next/link";
import { logout } from "@/app/login/actions";
import type { ClientUser } from "@/components/user-context";
import { getT } from "@/lib/i18n/server";

/** The header's account corner: who is signed in, Settings for admins, and Log out. */
export async function UserMenu({ user }: { user: ClientUser }) {
  const t = await getT();
  return (
    <div className="flex items-center gap-3 text-sm">
      {/* On a phone the name steps aside for the one-row header; Settings is on the bottom bar. */}
      <Link href="/account" data-testid="user" data-role={user.role} title={t("settings.account.title")} className="hidden text-muted hover:underline md:inline">
        <span className="font-medium text-ink">{user.username}</span> · {t(`role.${user.role}`)}
      </Link>
      {user.role === "admin" && (
        <Link href="/settings" className="hidden font-medium underline-offset-4 hover:underline md:inline">
          {t("userMenu.settings")}
        </Link>
      )}
      <form action={logout}>
        <button type="submit" className="rounded-md border border-line px-2 py-1 font-medium hover:bg-surface">
          {t("userMenu.logout")}
        </button>
      </form>
    </div>
  );
}

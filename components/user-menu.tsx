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
      <Link prefetch={false} href="/account" data-testid="user" data-role={user.role} title={t("settings.account.title")} className="hidden text-muted hover:underline md:inline">
        <span className="font-medium text-ink">{user.username}</span> · {t(`role.${user.role}`)}
      </Link>
      {user.role === "admin" && (
        <Link prefetch={false} href="/settings" className="hidden font-medium underline-offset-4 hover:underline md:inline">
          {t("userMenu.settings")}
        </Link>
      )}
      <form action={logout}>
        {/* On a phone a door icon, its words for screen readers: with the stale notice and
            "오프라인" beside it, words wrapped the one-row header and moved the connection state. */}
        <button type="submit" className="flex items-center justify-center rounded-md border border-line px-2 py-1 font-medium whitespace-nowrap hover:bg-surface">
          <svg aria-hidden viewBox="0 0 24 24" className="size-5 fill-none stroke-current stroke-[1.6] md:hidden" strokeLinecap="round" strokeLinejoin="round">
            <path d="M14 4.5H5.5v15H14M10 12h10.5M17 8.5l3.5 3.5-3.5 3.5" />
          </svg>
          <span className="sr-only md:not-sr-only">{t("userMenu.logout")}</span>
        </button>
      </form>
    </div>
  );
}

import Link from "next/link";
import { getT } from "@/lib/i18n/server";

const SECTIONS = [
  { href: "/settings/users", title: "settings.users", text: "settings.users.summary" },
  { href: "/settings/devices", title: "settings.devices", text: "settings.devices.summary" },
  // Off the phone's bottom bar since issue 15; reached from here.
  { href: "/settings/storage", title: "nav.storage", text: "settings.storage.summary" },
] as const;

export default async function SettingsPage() {
  const t = await getT();
  return (
    <>
      <h1 className="mb-4 text-2xl font-bold">{t("settings.title")}</h1>
      <ul className="grid gap-3">
        {SECTIONS.map((s) => (
          <li key={s.href}>
            <Link prefetch={false} href={s.href} className="block rounded-lg border border-line bg-surface p-4 hover:border-accent">
              <span className="font-semibold">{t(s.title)}</span>
              <span className="mt-1 block text-sm text-muted">{t(s.text)}</span>
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}

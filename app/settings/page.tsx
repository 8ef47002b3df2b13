import Link from "next/link";

const SECTIONS = [
  { href: "/settings/users", title: "Users", text: "Who may sign in to the dashboard, as viewer, operator or admin." },
  { href: "/settings/devices", title: "Device accounts", text: "MQTT usernames and passwords for sensors and switches, each limited to its topics." },
];

export default function SettingsPage() {
  return (
    <>
      <h1 className="mb-4 text-2xl font-bold">Settings</h1>
      <ul className="grid gap-3">
        {SECTIONS.map((s) => (
          <li key={s.href}>
            <Link href={s.href} className="block rounded-lg border border-line bg-surface p-4 hover:border-accent">
              <span className="font-semibold">{s.title}</span>
              <span className="mt-1 block text-sm text-muted">{s.text}</span>
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}

import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { AlertBanner } from "@/components/alert-banner";
import { ConnectionIndicator } from "@/components/connection-indicator";
import { DatabaseNotice } from "@/components/database-notice";
import { ForgetSignedOut } from "@/components/forget-signed-out";
import { LocaleProvider } from "@/components/i18n-provider";
import { MqttProvider } from "@/components/mqtt-provider";
import { OfflineMemory } from "@/components/offline-memory";
import { PreferencesMenu } from "@/components/preferences-menu";
import { ServiceWorker } from "@/components/service-worker";
import { SiteChrome } from "@/components/site-chrome";
import { SiteNav } from "@/components/site-nav";
import { UserProvider } from "@/components/user-context";
import { UserMenu } from "@/components/user-menu";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/current-user";
import { PUBLIC_PAGE_HEADER } from "@/lib/auth/request-headers";
import { StaleNotice } from "@/components/stale-notice";
import { UpstreamNotice } from "@/components/upstream-notice";
import { getHub } from "@/lib/hub-link";
import { getLocale, getTheme } from "@/lib/i18n/server";
import { publicDatabaseStatus } from "@/lib/pg/public-status";
import type { LastState } from "@/lib/devices/last-states";
import type { Reading } from "@/lib/readings";
import { themeAttribute } from "@/lib/theme";
import "./globals.css";

export const metadata: Metadata = {
  title: "Hearth",
  description: "Live readings and switches from around the home",
  // Installed on a phone's home screen (issue 7); the manifest is app/manifest.ts.
  appleWebApp: { capable: true, title: "Hearth", statusBarStyle: "black-translucent" },
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  viewportFit: "cover",
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#f6f4f1" },
    { media: "(prefers-color-scheme: dark)", color: "#13110f" },
  ],
};

/** What the page is seeded with from the hub; a failing read costs the first paint those values, not the page. */
async function seedOrNone<T>(what: string, read: () => Promise<T[]> | undefined): Promise<T[]> {
  try {
    return (await read()) ?? [];
  } catch (error) {
    console.error(`hearth: could not read ${what} for the page:`, error);
    return [];
  }
}

/** The newest stored readings. */
const latestReadings = () => seedOrNone<Reading>("the latest readings", () => getHub()?.history.latest());

/** What devices that keep no retained state last said (review-10 F1); without it a page shows "–" for them until they next speak. */
const lastDeviceStates = () => seedOrNone<LastState>("the devices' last states", () => getHub()?.deviceStates.last());

/** Whether the hub's PostgreSQL answers; null on SQLite. */
async function databaseStatus() {
  return (await getHub()?.database.status().catch(() => null)) ?? null;
}

/** What a signed-out page may know of the database: not its message, which names it. */
async function signedOutDatabaseStatus() {
  const status = await databaseStatus();
  return status === null ? null : publicDatabaseStatus(status);
}

/** The hub's alerts, so the banner is right on the first paint, before the MQTT connection. */
async function currentAlerts() {
  return (await getHub()?.alerts.alerts()) ?? [];
}

// The provider lives here, not in a page, so the header's connection indicator can
// read it and one MQTT connection outlives navigation between pages. The latest
// readings are read per request because the pages under it are dynamic (page.tsx).
// Signed out (the login and onboarding pages; proxy.ts sends everyone else there)
// there is no live connection: the /mqtt upgrade needs the session.
export default async function RootLayout({ children }: { children: ReactNode }) {
  const [locale, theme] = await Promise.all([getLocale(), getTheme()]);
  const user = await currentUser();
  if (user === null) {
    if ((await headers()).get(PUBLIC_PAGE_HEADER) === null && getHub() !== null) redirect("/login");
    return (
      <html lang={locale} data-theme={themeAttribute(theme)}>
        <body className="min-h-dvh antialiased">
          <LocaleProvider locale={locale}>
            <ForgetSignedOut />
            <header className="border-b border-line">
              <div className="mx-auto max-w-screen-2xl px-4 py-3 text-lg font-bold tracking-tight">Hearth</div>
            </header>
            <DatabaseNotice initial={await signedOutDatabaseStatus()} />
            <main className="mx-auto max-w-screen-2xl px-4 py-6">{children}</main>
          </LocaleProvider>
        </body>
      </html>
    );
  }
  const [initialReadings, initialAlerts, initialStates, database] = await Promise.all([latestReadings(), currentAlerts(), lastDeviceStates(), databaseStatus()]);
  const clientUser = { username: user.username, role: user.role };
  /** HEARTH_MQTT_URL's broker, whose state the header shows when Hearth cannot reach it (issue 14). */
  const upstreamServer = getHub()?.upstreamServer ?? null;
  // Issue 7: the language and theme come from the switcher's cookies (else the
  // browser's); the header and banner step aside on the kiosk (SiteChrome).
  return (
    <html lang={locale} data-theme={themeAttribute(theme)}>
      <body className="min-h-dvh antialiased">
        <LocaleProvider locale={locale}>
          <UserProvider user={clientUser}>
            <MqttProvider initialReadings={initialReadings} initialAlerts={initialAlerts} deviceConfig={getHub()?.devices?.config} initialStates={initialStates}>
              <ServiceWorker />
              <OfflineMemory />
              <SiteChrome>
                {/* No backdrop filter on phones: it would pin the fixed bottom nav inside the header. */}
                <header className="sticky top-0 z-10 border-b border-line bg-canvas md:bg-canvas/90 md:backdrop-blur">
                  {/* One row on a phone too (issue 15): the stale notice sits left of the connection state, so nothing moves. */}
                  <div className="mx-auto flex max-w-screen-2xl items-center justify-between gap-x-3 px-4 py-1">
                    <SiteNav role={user.role} />
                    <div className="flex min-w-0 items-center gap-1.5 md:gap-2">
                      <StaleNotice className="shrink-0 text-sm whitespace-nowrap" />
                      {upstreamServer ? <UpstreamNotice server={upstreamServer} className="shrink-0 text-sm whitespace-nowrap" /> : null}
                      <ConnectionIndicator />
                      <PreferencesMenu theme={theme} />
                      <UserMenu user={clientUser} />
                    </div>
                  </div>
                </header>
                <AlertBanner />
                <DatabaseNotice initial={database} />
              </SiteChrome>
              {/* Bottom padding: on a phone the page links are a bar along the bottom edge. */}
              <main className="mx-auto max-w-screen-2xl px-4 pt-3 pb-24 md:pt-6 md:pb-6">{children}</main>
            </MqttProvider>
          </UserProvider>
        </LocaleProvider>
      </body>
    </html>
  );
}

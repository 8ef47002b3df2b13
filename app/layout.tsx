import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { AlertBanner } from "@/components/alert-banner";
import { ConnectionIndicator } from "@/components/connection-indicator";
import { MqttProvider } from "@/components/mqtt-provider";
import { SiteNav } from "@/components/site-nav";
import { UserProvider } from "@/components/user-context";
import { UserMenu } from "@/components/user-menu";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/current-user";
import { PUBLIC_PAGE_HEADER } from "@/lib/auth/request-headers";
import { currentHistory, getHub } from "@/lib/hub-registry";
import type { Reading } from "@/lib/readings";
import "./globals.css";

export const metadata: Metadata = {
  title: "Hearth",
  description: "Live readings and switches from around the home",
};

export const viewport: Viewport = {
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#f6f4f1" },
    { media: "(prefers-color-scheme: dark)", color: "#13110f" },
  ],
};

/** The newest stored readings; a failing store costs the first paint its values, not the page. */
async function latestReadings(): Promise<Reading[]> {
  try {
    return (await (await currentHistory())?.latest()) ?? [];
  } catch (error) {
    console.error("hearth: could not read the latest readings for the page:", error);
    return [];
  }
}

/** The hub's alerts, so the banner is right on the first paint, before the MQTT connection. */
function currentAlerts() {
  return getHub()?.alerts.alerts() ?? [];
}

// The provider lives here, not in a page, so the header's connection indicator can
// read it and one MQTT connection outlives navigation between pages. The latest
// readings are read per request because the pages under it are dynamic (page.tsx).
// Signed out (the login and onboarding pages; proxy.ts sends everyone else there)
// there is no live connection: the /mqtt upgrade needs the session.
export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  if (user === null) {
    if ((await headers()).get(PUBLIC_PAGE_HEADER) === null && getHub() !== null) redirect("/login");
    return (
      <html lang="en">
        <body className="min-h-dvh antialiased">
          <header className="border-b border-line">
            <div className="mx-auto max-w-screen-2xl px-4 py-3 text-lg font-bold tracking-tight">Hearth</div>
          </header>
          <main className="mx-auto max-w-screen-2xl px-4 py-6">{children}</main>
        </body>
      </html>
    );
  }
  const initialReadings = await latestReadings();
  const clientUser = { username: user.username, role: user.role };
  return (
    <html lang="en">
      <body className="min-h-dvh antialiased">
        <UserProvider user={clientUser}>
          <MqttProvider initialReadings={initialReadings} initialAlerts={currentAlerts()}>
            <header className="sticky top-0 z-10 border-b border-line bg-canvas/90 backdrop-blur">
              <div className="mx-auto flex max-w-screen-2xl flex-wrap items-center justify-between gap-4 px-4 py-3">
                <SiteNav />
                <div className="flex flex-wrap items-center gap-4">
                  <ConnectionIndicator />
                  <UserMenu user={clientUser} />
                </div>
              </div>
            </header>
            <AlertBanner />
            <main className="mx-auto max-w-screen-2xl px-4 py-6">{children}</main>
          </MqttProvider>
        </UserProvider>
      </body>
    </html>
  );
}

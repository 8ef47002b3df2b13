import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { ConnectionIndicator } from "@/components/connection-indicator";
import { MainNav } from "@/components/main-nav";
import { MqttProvider } from "@/components/mqtt-provider";
import { currentHistory } from "@/lib/hub-registry";
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

// The provider lives here, not in a page, so the header's connection indicator can
// read it and one MQTT connection outlives navigation between pages. The latest
// readings are read per request because the pages under it are dynamic (page.tsx).
export default async function RootLayout({ children }: { children: ReactNode }) {
  const initialReadings = await latestReadings();
  return (
    <html lang="en">
      <body className="min-h-dvh antialiased">
        <MqttProvider initialReadings={initialReadings}>
          <header className="sticky top-0 z-10 border-b border-line bg-canvas/90 backdrop-blur">
            <div className="mx-auto flex max-w-screen-2xl items-center justify-between gap-4 px-4 py-3">
              <span className="text-lg font-bold tracking-tight">Hearth</span>
              <MainNav />
              <ConnectionIndicator />
            </div>
          </header>
          <main className="mx-auto max-w-screen-2xl px-4 py-6">{children}</main>
        </MqttProvider>
      </body>
    </html>
  );
}

"use client";

import { createContext, type ReactNode } from "react";
import type { Locale } from "@/lib/i18n/translate";

/** The request's locale, decided on the server (lib/i18n/server.ts) so hydration agrees. */
export const LocaleContext = createContext<Locale>("en");

export function LocaleProvider({ locale, children }: { locale: Locale; children: ReactNode }) {
  return <LocaleContext.Provider value={locale}>{children}</LocaleContext.Provider>;
}

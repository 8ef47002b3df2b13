import { useContext, useMemo } from "react";
import { LocaleContext } from "@/components/i18n-provider";
import { createTranslator, type Locale, type Translate } from "@/lib/i18n/translate";

/** The interface language: "en" or "ko". Pass it to lib/format.ts's formatters. */
export function useLocale(): Locale {
  return useContext(LocaleContext);
}

/** `const t = useT(); t("nav.alerts")` in a client component. */
export function useT(): Translate {
  const locale = useLocale();
  return useMemo(() => createTranslator(locale), [locale]);
}

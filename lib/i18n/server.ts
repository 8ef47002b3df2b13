// Server components' side of the interface language and theme: read once per
// request from the switcher's cookies, else the browser's Accept-Language.
import { cookies, headers } from "next/headers";
import { parseTheme, THEME_COOKIE, type Theme } from "../theme";
import { createTranslator, LOCALE_COOKIE, pickLocale, type Locale, type Translate } from "./translate";

export async function getLocale(): Promise<Locale> {
  const [cookieStore, headerStore] = await Promise.all([cookies(), headers()]);
  return pickLocale(cookieStore.get(LOCALE_COOKIE)?.value, headerStore.get("accept-language"));
}

/** `const t = await getT(); t("nav.alerts")` in a server component. */
export async function getT(): Promise<Translate> {
  return createTranslator(await getLocale());
}

export async function getTheme(): Promise<Theme> {
  return parseTheme((await cookies()).get(THEME_COOKIE)?.value);
}

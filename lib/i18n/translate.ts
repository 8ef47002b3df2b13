// The pure core of the interface language: which locale a request gets, and a key
// → text lookup. Server (lib/i18n/server.ts) and browser (components/i18n-provider.tsx)
// both use it, so SSR and hydration print the same words.
import { en, type MessageKey, type Messages } from "./en";
import { ko } from "./ko";

export const LOCALES = ["en", "ko"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";
/** Set by the language switcher; wins over the browser's Accept-Language. */
export const LOCALE_COOKIE = "hearth-locale";

const DICTIONARIES: Record<Locale, Messages> = { en, ko };

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/**
 * The cookie's locale when it names one, else the first Accept-Language entry we
 * speak (by q-value, `ko-KR` → `ko`), else English.
 */
export function pickLocale(cookie: string | undefined | null, acceptLanguage: string | undefined | null): Locale {
  if (isLocale(cookie)) return cookie;
  const ranked = (acceptLanguage ?? "")
    .split(",")
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      const weight = q ? Number(q.slice(2)) : 1;
      return { lang: tag.trim().toLowerCase().split("-")[0], weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((entry) => entry.lang && entry.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  return ranked.map((entry) => entry.lang).find(isLocale) ?? DEFAULT_LOCALE;
}

export type TranslateVars = Record<string, string | number>;
export type Translate = (key: MessageKey, vars?: TranslateVars) => string;

/** `t("connection.attempt", { n: 3 })` → "(attempt 3)"; an unknown placeholder is left as written. */
export function createTranslator(locale: Locale): Translate {
  const messages = DICTIONARIES[locale];
  return (key, vars) => {
    const text = messages[key];
    if (!vars) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
  };
}

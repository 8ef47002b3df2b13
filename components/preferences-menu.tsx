"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useLocale, useT } from "@/components/use-t";
import { LOCALE_COOKIE, LOCALES, type Locale } from "@/lib/i18n/translate";
import { preferenceCookie, THEME_COOKIE, THEMES, themeAttribute, type Theme } from "@/lib/theme";

const LANGUAGE_NAMES: Record<Locale, string> = { en: "English", ko: "한국어" };

/** Theme and language, kept in cookies so the server renders the next page the same way. */
export function PreferencesMenu({ theme: initialTheme }: { theme: Theme }) {
  const t = useT();
  const locale = useLocale();
  const router = useRouter();
  const [theme, setTheme] = useState(initialTheme);
  const menu = useRef<HTMLDetailsElement>(null);

  // A menu closes when you touch anything else.
  useEffect(() => {
    const onPointerDown = (event: PointerEvent) => {
      if (menu.current?.open && !menu.current.contains(event.target as Node)) menu.current.open = false;
    };
    document.addEventListener("pointerdown", onPointerDown);
    return () => document.removeEventListener("pointerdown", onPointerDown);
  }, []);

  const chooseTheme = (next: Theme) => {
    setTheme(next);
    document.cookie = preferenceCookie(THEME_COOKIE, next);
    const attribute = themeAttribute(next);
    if (attribute) document.documentElement.dataset.theme = attribute;
    else delete document.documentElement.dataset.theme;
  };
  const chooseLocale = (next: Locale) => {
    document.cookie = preferenceCookie(LOCALE_COOKIE, next);
    document.documentElement.lang = next;
    // Server components (the nav, page titles) render again in the new language.
    router.refresh();
  };

  return (
    <details ref={menu} className="relative" data-testid="preferences">
      <summary
        aria-label={t("prefs.label")}
        className="flex size-11 cursor-pointer list-none items-center justify-center rounded-full text-xl text-muted hover:bg-surface hover:text-ink [&::-webkit-details-marker]:hidden"
      >
        <span aria-hidden>⚙</span>
      </summary>
      <div className="absolute right-0 z-30 mt-1 w-56 rounded-xl border border-line bg-surface p-3 shadow-lg">
        <fieldset>
          <legend className="text-xs font-semibold text-muted">{t("prefs.theme")}</legend>
          <div className="mt-1 grid grid-cols-3 gap-1">
            {THEMES.map((option) => (
              <button
                key={option}
                type="button"
                data-theme-option={option}
                aria-pressed={theme === option}
                onClick={() => chooseTheme(option)}
                className="min-h-11 rounded-lg border border-line text-sm aria-pressed:border-accent aria-pressed:font-semibold"
              >
                {t(`prefs.theme.${option}`)}
              </button>
            ))}
          </div>
        </fieldset>
        <label className="mt-3 block text-xs font-semibold text-muted">
          {t("prefs.language")}
          <select
            data-testid="language"
            value={locale}
            onChange={(event) => chooseLocale(event.target.value as Locale)}
            className="mt-1 block min-h-11 w-full rounded-lg border border-line bg-canvas px-2 text-sm text-ink"
          >
            {LOCALES.map((option) => (
              <option key={option} value={option}>
                {LANGUAGE_NAMES[option]}
              </option>
            ))}
          </select>
        </label>
      </div>
    </details>
  );
}

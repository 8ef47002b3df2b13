// The colour theme a person chose (issue 7): "system" follows prefers-color-scheme.
// Stored in a cookie so the server renders <html data-theme> and nothing flashes.
export const THEMES = ["system", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];
export const THEME_COOKIE = "hearth-theme";

export function parseTheme(value: string | undefined | null): Theme {
  return (THEMES as readonly string[]).includes(value ?? "") ? (value as Theme) : "system";
}

/** The value for `data-theme`: none for "system", so color-scheme follows the device. */
export function themeAttribute(theme: Theme): "light" | "dark" | undefined {
  return theme === "system" ? undefined : theme;
}

/** A year-long, site-wide preference cookie (not HttpOnly: the switcher writes it). */
export function preferenceCookie(name: string, value: string): string {
  return `${name}=${encodeURIComponent(value)}; Path=/; Max-Age=31536000; SameSite=Lax`;
}

/** Joins the truthy class names: `cn("row", stale && "opacity-60")`. */
export function cn(...classes: Array<string | false | null | undefined>): string {
  return classes.filter(Boolean).join(" ");
}

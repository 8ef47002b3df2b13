// How each alert severity looks, in one place: the banner, the tiles and the
// alerts page use these, so "critical" is the same red everywhere.
import type { Severity } from "@/lib/alerts/rule";

/** A reading tile with an alert firing on its topic. */
export const SEVERITY_TILE: Record<Severity, string> = {
  info: "-mx-2 rounded-lg bg-info/10 px-2 ring-2 ring-info",
  warning: "-mx-2 rounded-lg bg-warn/10 px-2 ring-2 ring-warn",
  critical: "-mx-2 rounded-lg bg-danger/10 px-2 ring-2 ring-danger",
};

/** The banner, by its worst alert. */
export const SEVERITY_BANNER: Record<Severity, string> = {
  info: "border-info bg-info/10",
  warning: "border-warn bg-warn/15",
  critical: "border-danger bg-danger/15",
};

export const SEVERITY_BADGE: Record<Severity, string> = {
  info: "bg-info text-white",
  warning: "bg-warn text-white",
  critical: "bg-danger text-white",
};

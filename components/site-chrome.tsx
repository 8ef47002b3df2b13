"use client";

import { usePathname } from "next/navigation";
import type { ReactNode } from "react";

/** The site's header and banner, left out on the kiosk (/kiosk), which is the whole screen (issue 7). */
export function SiteChrome({ children }: { children: ReactNode }) {
  const pathname = usePathname();
  return pathname === "/kiosk" || pathname?.startsWith("/kiosk/") ? null : children;
}

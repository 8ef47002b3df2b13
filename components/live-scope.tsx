"use client";

import { useLiveScope } from "@/components/use-live-scope";

/** For a server-rendered page: its live connection carries only `filters` of the home's topics while it is shown. */
export function LiveScope({ filters }: { filters: string[] }) {
  useLiveScope(filters);
  return null;
}

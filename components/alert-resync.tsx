"use client";

import { useEffect } from "react";
import { useConnection } from "@/components/use-connection";
import { useLiveStore } from "@/components/use-live-store";
import { callAlertsApi } from "@/lib/alerts/client";
import type { AlertView } from "@/lib/alerts/view";

/**
 * After a reconnect, retained messages bring back every alert that still exists,
 * but nothing says which ones ended while the page was away (a rule deleted
 * meanwhile): the hub's snapshot settles it.
 */
export function AlertResync() {
  const { alerts } = useLiveStore();
  const epoch = useConnection((c) => c.epoch);
  useEffect(() => {
    // The first connect: the server-rendered alerts are current.
    if (epoch <= 1) return;
    const since = alerts.generation();
    let cancelled = false;
    void callAlertsApi<{ alerts: AlertView[] }>("", "GET").then((result) => {
      if (!cancelled && result.ok) alerts.replace(result.value.alerts, since);
    });
    return () => {
      cancelled = true;
    };
  }, [epoch, alerts]);
  return null;
}

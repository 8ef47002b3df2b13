import { useCallback, useSyncExternalStore } from "react";
import type { Severity } from "@/lib/alerts/rule";
import type { AlertView } from "@/lib/alerts/view";
import { useLiveStore } from "@/components/use-live-store";

/** Every alert that is not ok, worst first; re-renders when any alert changes. */
export function useAlerts(): readonly AlertView[] {
  const { alerts } = useLiveStore();
  return useSyncExternalStore(alerts.subscribe, alerts.getAlerts, alerts.getAlerts);
}

/** Firing, unacknowledged and not snoozed, worst first: the banner's list. */
export function useAttentionAlerts(): readonly AlertView[] {
  const { alerts } = useLiveStore();
  return useSyncExternalStore(alerts.subscribe, alerts.getAttention, alerts.getAttention);
}

/** The worst severity firing on one watched topic; re-renders only when that changes. */
export function useTopicAlert(topic: string): Severity | null {
  const { alerts } = useLiveStore();
  const subscribe = useCallback((listener: () => void) => alerts.subscribeTopic(topic, listener), [alerts, topic]);
  const get = () => alerts.getTopicSeverity(topic);
  return useSyncExternalStore(subscribe, get, get);
}

"use client";

import { useEffect } from "react";
import { useLiveStore } from "@/components/use-live-store";
import { readNotifySettings } from "@/components/use-notify-settings";
import { useLocale, useT } from "@/components/use-t";
import { alertLineText } from "@/lib/alerts/alert-text";
import type { AlertView } from "@/lib/alerts/view";
import type { Locale, Translate } from "@/lib/i18n/translate";

let audio: AudioContext | null = null;

/** A short two-tone chime from WebAudio: no sound file to ship or cache. */
export function playChime(): void {
  try {
    audio ??= new AudioContext();
    void audio.resume();
    const start = audio.currentTime;
    for (const [i, frequency] of [880, 660, 880].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.2, start + i * 0.25);
      gain.gain.exponentialRampToValueAtTime(0.001, start + i * 0.25 + 0.22);
      osc.connect(gain).connect(audio.destination);
      osc.start(start + i * 0.25);
      osc.stop(start + i * 0.25 + 0.23);
    }
  } catch (error) {
    console.warn(`hearth: could not play the alert sound: ${(error as Error).message}`);
  }
}

function notify(alert: AlertView, t: Translate, locale: Locale): void {
  const settings = readNotifySettings();
  if (settings.notifications && "Notification" in window && Notification.permission === "granted") {
    showNotification(alert, t, locale);
  }
  if (settings.sound && alert.severity === "critical") playChime();
}

function showNotification(alert: AlertView, t: Translate, locale: Locale): void {
  const title = `${t(`severity.${alert.severity}`)}: ${alert.ruleName}`;
  // One notification per alert: a re-fire replaces the old one instead of stacking.
  const options = { body: alertLineText(t, locale, alert), tag: `${alert.ruleId}/${alert.topic}` };
  try {
    new Notification(title, options);
  } catch (error) {
    // Some browsers (Android Chrome, an installed app) allow notifications only from the service worker (issue 7).
    if (!("serviceWorker" in navigator)) {
      console.warn(`hearth: could not show a notification: ${(error as Error).message}`);
      return;
    }
    navigator.serviceWorker.ready
      .then((registration) => registration.showNotification(title, options))
      .catch((swError: unknown) => console.warn(`hearth: could not show a notification: ${(swError as Error).message}`));
  }
}

/** Turns each firing the hub chose to notify (its per-rule rate limit applied) into a notification and, for critical ones, a sound. */
export function AlertNotifier() {
  const { alerts } = useLiveStore();
  const t = useT();
  const locale = useLocale();
  useEffect(() => alerts.onNotify((alert) => notify(alert, t, locale)), [alerts, t, locale]);
  return null;
}

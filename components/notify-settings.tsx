"use client";

import { useState } from "react";
import { playChime } from "@/components/alert-notifier";
import { useNotifySettings } from "@/components/use-notify-settings";
import { useT } from "@/components/use-t";

/** The opt-ins: browser notifications (asks for permission) and a sound for critical alerts (the wall tablet). */
export function NotifySettings() {
  const [settings, set] = useNotifySettings();
  const [problem, setProblem] = useState<string | null>(null);
  const t = useT();

  async function toggleNotifications(on: boolean) {
    setProblem(null);
    if (on) {
      if (!("Notification" in window)) return setProblem(t("notify.unsupported"));
      const permission = Notification.permission === "granted" ? "granted" : await Notification.requestPermission();
      if (permission !== "granted") return setProblem(t("notify.blocked"));
    }
    set("notifications", on);
  }

  return (
    <fieldset data-testid="notify-settings" className="flex flex-wrap items-center gap-x-6 gap-y-2 text-sm">
      <legend className="sr-only">{t("notify.legend")}</legend>
      <label className="flex items-center gap-2">
        <input type="checkbox" checked={settings.notifications} onChange={(e) => void toggleNotifications(e.target.checked)} />
        {t("notify.browser")}
      </label>
      <label className="flex items-center gap-2">
        <input
          type="checkbox"
          checked={settings.sound}
          onChange={(e) => {
            set("sound", e.target.checked);
            // The click is the user gesture browsers want before a page may play sound.
            if (e.target.checked) playChime();
          }}
        />
        {t("notify.sound")}
      </label>
      {problem && <span className="text-danger">{problem}</span>}
    </fieldset>
  );
}

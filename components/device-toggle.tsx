"use client";

// A toggle that never lies (issue 5): a click publishes the command (QoS 1) and
// shows "pending", not the new state, until the device's own state message
// confirms it; no answer in time and it returns to the last confirmed state with a
// toast. The decisions are lib/devices/command.ts; this leaf owns the timer and I/O.
import { useEffect, useReducer, useRef, useState } from "react";
import { useDeviceControls } from "@/components/device-controls";
import { useToast } from "@/components/toaster";
import { useLiveStore } from "@/components/use-live-store";
import { useToggleGate } from "@/components/use-toggle-gate";
import { useT } from "@/components/use-t";
import { cn } from "@/lib/cn";
import { commandReducer, initialCommandState, nextTarget, type Notice, type OnOff } from "@/lib/devices/command";
import type { ToggleBlock } from "@/lib/devices/toggle-gate";
import type { MessageKey } from "@/lib/i18n/en";
import type { Translate } from "@/lib/i18n/translate";
import type { DeviceSnapshot } from "@/lib/devices/live-registry";

const asOnOff = (state: string | null): OnOff | null => (state === "ON" || state === "OFF" ? state : null);

function noticeText(name: string, notice: Notice, t: Translate): string {
  switch (notice.kind) {
    case "timeout":
      return t("device.timeout", { name });
    case "offline":
      return t("device.wentOffline", { name });
    case "send-failed":
      return t("device.sendFailed", { name, detail: notice.detail ?? t("device.notSent") });
  }
}

/** lib/devices/toggle-gate.ts's reasons, as interface text. */
const REASON_KEY: Record<ToggleBlock, MessageKey> = {
  "view-only": "device.reason.viewOnly",
  offline: "device.reason.offline",
  unknown: "device.reason.unknown",
  "not-connected": "device.reason.notConnected",
  waiting: "device.reason.waiting",
};

const reasonText = (reason: ToggleBlock, t: Translate) => t(REASON_KEY[reason]);

export function DeviceToggle({
  device,
  canControl = true,
}: {
  device: DeviceSnapshot;
  /** False for a viewer: the toggle is disabled with the reason "view only". */
  canControl?: boolean;
}) {
  const { publish } = useLiveStore();
  const { commandTimeoutMs } = useDeviceControls();
  const toast = useToast();
  const command = device.command!;
  const t = useT();
  const reported = asOnOff(device.state);
  const [cmd, dispatch] = useReducer(commandReducer, undefined, initialCommandState);
  // One source for the state shown: the device's own word in the live store; an
  // optimistic device has none, so what was last sent stands in for it.
  const confirmed = command.optimistic ? cmd.sent : reported;
  const gate = useToggleGate(device, canControl, cmd.pending !== null);

  // A new state message or availability ends or cuts short the wait: handled while
  // rendering the snapshot that carries it (React's "adjusting state when a prop
  // changes"), not by an effect one render late.
  const [seen, setSeen] = useState(device);
  if (seen !== device) {
    setSeen(device);
    if (!command.optimistic && device.state !== seen.state) dispatch({ type: "state", value: reported });
    if (device.availability === "offline" && seen.availability !== "offline") dispatch({ type: "offline" });
  }

  useEffect(() => {
    const pending = cmd.pending;
    if (!pending) return;
    // The timer is for this deadline, so it reports at least the deadline even if it fires a hair early.
    const timer = setTimeout(
      () => dispatch({ type: "tick", now: Math.max(Date.now(), pending.deadline) }),
      Math.max(0, pending.deadline - Date.now()),
    );
    return () => clearTimeout(timer);
  }, [cmd.pending]);

  // Each notice is shown once, however often the effect runs (React's dev mode runs it twice).
  const shownNotice = useRef(0);
  const notice = cmd.notice;
  useEffect(() => {
    if (!notice || notice.seq === shownNotice.current) return;
    shownNotice.current = notice.seq;
    toast({ kind: notice.kind, text: noticeText(device.name, notice, t) });
  }, [notice, toast, device.name, t]);

  const onClick = async () => {
    const target = nextTarget(confirmed);
    const payload = target === "ON" ? command.on : command.off;
    if (command.optimistic) {
      // Nothing will confirm it: show the new state once the hub has the command.
      try {
        await publish(command.topic, payload);
        dispatch({ type: "send", target, now: Date.now(), timeoutMs: 0, optimistic: true });
      } catch (error) {
        toast({ kind: "send-failed", text: t("device.sendFailed", { name: device.name, detail: (error as Error).message }) });
      }
      return;
    }
    dispatch({ type: "send", target, now: Date.now(), timeoutMs: command.timeoutMs ?? commandTimeoutMs });
    try {
      await publish(command.topic, payload);
    } catch (error) {
      dispatch({ type: "send-failed", message: (error as Error).message });
    }
  };

  const pending = cmd.pending !== null;
  const on = confirmed === "ON";
  const shown = pending ? "pending" : confirmed === null ? "unknown" : on ? "on" : "off";
  return (
    <span className="flex shrink-0 items-center gap-2">
      {/* While pending, only "pending": the new state is not the device's until it says so. */}
      <span data-testid="toggle-state" className="w-16 text-right text-xs font-semibold tracking-wide">
        {pending ? <span className="font-normal text-muted">{t("device.pending")}</span> : confirmed === null ? "–" : t(on ? "device.on" : "device.off")}
      </span>
      {!pending && gate.reason && (
        <span data-testid="toggle-reason" className="text-xs text-muted">
          {reasonText(gate.reason, t)}
        </span>
      )}
      {command.optimistic && (
        <span
          data-testid="optimistic"
          title={t("device.unconfirmedTitle")}
          className="text-xs text-muted"
        >
          {t("device.unconfirmed")}
        </span>
      )}
      <button
        type="button"
        role="switch"
        data-testid="toggle"
        data-state={shown}
        aria-checked={on}
        aria-busy={pending}
        aria-label={`${device.name}: ${pending ? t("device.switching") : shown}`}
        title={gate.reason === null ? undefined : reasonText(gate.reason, t)}
        disabled={!gate.enabled}
        onClick={onClick}
        // 44 px tall and wide (issue 7's touch targets); the visible track sits inside.
        className={cn(
          "relative inline-flex h-11 w-14 shrink-0 items-center justify-center rounded-full",
          "focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-accent",
          !gate.enabled && !pending && "cursor-not-allowed opacity-50",
        )}
      >
        <span
          aria-hidden
          className={cn(
            "inline-flex h-6 w-11 items-center rounded-full border border-line transition-colors",
            on ? "bg-accent" : "bg-line",
            pending && "animate-pulse",
          )}
        >
          <span
            className={cn(
              "inline-block size-5 rounded-full bg-surface shadow transition-transform",
              on ? "translate-x-5" : "translate-x-0.5",
              confirmed === null && "translate-x-2.5",
            )}
          />
        </span>
      </button>
    </span>
  );
}

"use client";

// The explorer's publish form (issue 15), for operators and admins: a topic, a
// payload, retained or not. It is checked against the role's rights first
// (lib/auth/publish-check.ts); the broker enforces the same rules again.
import { useState } from "react";
import { useUser } from "@/components/user-context";
import { useLiveStore } from "@/components/use-live-store";
import { useT } from "@/components/use-t";
import { checkUserPublish } from "@/lib/auth/publish-check";
import { roleAtLeast } from "@/lib/auth/roles";
import type { LiveStore } from "@/lib/live-store";
import { topicProblemText } from "@/lib/topic-problem-text";

type Outcome = { ok: true; text: string } | { ok: false; code: string; text: string } | null;

/** Is `topic` the command topic of a switch the page knows (discovery, config)? Operators may switch those. */
function knownCommand(store: LiveStore, topic: string): boolean {
  return store.getRooms().some((room) => room.devices.some((key) => store.getDevice(key)?.command?.topic === topic));
}

const field = "rounded-md border border-line bg-canvas px-3 py-2 font-mono text-sm";

export function ExplorerPublish({ initialTopic }: { initialTopic: string }) {
  const user = useUser();
  const t = useT();
  const { store, publish } = useLiveStore();
  const [topic, setTopic] = useState(initialTopic);
  const [payload, setPayload] = useState("");
  const [retain, setRetain] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [sending, setSending] = useState(false);
  if (user === null || !roleAtLeast(user.role, "operator")) return null;

  const send = async () => {
    const check = checkUserPublish(user.role, topic, (t) => knownCommand(store, t));
    if (!check.ok) {
      const text = check.code === "bad-topic" ? topicProblemText(t, check.problem) : t("explorer.publish.notAllowed", { role: t(`role.${user.role}`) });
      setOutcome({ ok: false, code: check.code, text });
      return;
    }
    setSending(true);
    try {
      await publish(topic, payload, { retain });
      setOutcome({ ok: true, text: t("explorer.publish.sent", { topic }) });
    } catch (error) {
      setOutcome({ ok: false, code: "send-failed", text: t("explorer.publish.failed", { detail: (error as Error).message }) });
    } finally {
      setSending(false);
    }
  };

  return (
    <form
      data-testid="explorer-publish"
      className="flex flex-col gap-2 rounded-lg border border-line bg-surface p-3 text-sm"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <h2 className="font-semibold">{t("explorer.publish.title")}</h2>
      <label className="flex flex-col gap-1">
        {t("explorer.publish.topic")}
        <input value={topic} onChange={(e) => setTopic(e.target.value)} required className={field} />
      </label>
      <label className="flex flex-col gap-1">
        {t("explorer.publish.payload")}
        <textarea value={payload} onChange={(e) => setPayload(e.target.value)} rows={3} className={field} />
      </label>
      <span className="flex items-center justify-between gap-2">
        <label className="flex items-center gap-2">
          <input type="checkbox" checked={retain} onChange={(e) => setRetain(e.target.checked)} />
          {t("explorer.publish.retain")}
        </label>
        <button type="submit" disabled={sending} className="rounded-md bg-accent px-3 py-1.5 font-semibold text-surface disabled:opacity-60">
          {t("explorer.publish.send")}
        </button>
      </span>
      {outcome && (
        <p
          data-testid={outcome.ok ? "publish-message" : "publish-error"}
          data-code={outcome.ok ? undefined : outcome.code}
          role={outcome.ok ? "status" : "alert"}
          className={outcome.ok ? "" : "text-danger"}
        >
          {outcome.text}
        </p>
      )}
    </form>
  );
}

"use client";

// Copies one piece of text (a new device's password, its test command) and says so.
import { useState } from "react";
import { useT } from "@/components/use-t";

export function CopyButton({ text, label }: { text: string; label: string }) {
  const t = useT();
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied("yes");
    } catch {
      // Plain HTTP on a LAN address is not a secure context: no clipboard API. The text stays selectable.
      setCopied("failed");
    }
  };
  return (
    <button type="button" onClick={copy} aria-label={label} className="rounded-md border border-line px-2 py-1 text-sm font-medium hover:bg-canvas">
      {copied === "yes" ? t("settings.copied") : copied === "failed" ? t("settings.copyFailed") : t("settings.copy")}
    </button>
  );
}

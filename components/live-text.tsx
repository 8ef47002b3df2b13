"use client";

// A reading's value and age on a wall of a thousand live sensors: a thousand changes
// a second. Going through React, each one cost a render and a commit of its row; here
// React renders the text once and a store listener writes each change straight into
// the DOM node, so a reading costs a string comparison and, when the text differs,
// one text or attribute write (bench/README.md, "dashboard under load").
import { useCallback, useLayoutEffect, useRef, useState, useSyncExternalStore, type RefObject } from "react";
import { useLiveStore } from "@/components/use-live-store";
import { clockNow, subscribeClock } from "@/components/use-now";
import { useLocale } from "@/components/use-t";
import { formatTimeAgo } from "@/lib/format";
import type { TopicSnapshot } from "@/lib/live-store";

/**
 * Text that follows one topic without re-rendering. Render `first` as the FIRST child
 * of the element `ref` goes on; React never changes that text again (it stays `first`
 * in every render), and a store listener writes each new text into the node. A change
 * of `text` (a new locale) re-runs the listener's setup, which writes at once.
 */
export function useLiveText<E extends HTMLElement>(
  topic: string,
  text: (snapshot: TopicSnapshot | undefined) => string,
): { ref: RefObject<E | null>; first: string } {
  const { store } = useLiveStore();
  const ref = useRef<E | null>(null);
  // Seeded before the first render, so the server and the browser start with the same text.
  const [first] = useState(() => text(store.getTopic(topic)));
  useLayoutEffect(() => {
    const node = ref.current?.firstChild;
    if (!(node instanceof Text)) return;
    const write = () => {
      const next = text(store.getTopic(topic));
      if (node.data !== next) node.data = next;
    };
    write();
    return store.subscribeTopic(topic, write);
  }, [store, topic, text]);
  return { ref, first };
}

const AGE_TICK_MS = 1000;
const noAge = () => null;
const isoOf = (s: TopicSnapshot | undefined) => (s?.reading ? new Date(s.reading.ts).toISOString() : "");

/**
 * "just now", for the topic's current reading, kept current by the shared one-second
 * clock (as TimeAgo). The words re-render only when they change; the `dateTime`
 * attribute follows each reading directly. Empty until hydrated, like TimeAgo.
 */
export function LiveAge({ topic, className }: { topic: string; className?: string }) {
  const { store } = useLiveStore();
  const locale = useLocale();
  const ref = useRef<HTMLTimeElement>(null);
  const subscribe = useCallback(
    (listener: () => void) => {
      const stopClock = subscribeClock(AGE_TICK_MS, listener);
      const stopTopic = store.subscribeTopic(topic, listener);
      return () => {
        stopClock();
        stopTopic();
      };
    },
    [store, topic],
  );
  const label = useSyncExternalStore(
    subscribe,
    () => {
      const reading = store.getTopic(topic)?.reading;
      return reading ? formatTimeAgo(reading.ts, clockNow(AGE_TICK_MS), locale) : null;
    },
    noAge,
  );
  const [firstIso] = useState(() => isoOf(store.getTopic(topic)));
  useLayoutEffect(() => {
    const time = ref.current;
    if (!time) return;
    const write = () => {
      const iso = isoOf(store.getTopic(topic));
      if (time.dateTime !== iso) time.dateTime = iso;
    };
    write();
    return store.subscribeTopic(topic, write);
  }, [store, topic]);
  return (
    <time ref={ref} dateTime={firstIso} className={className}>
      {label ?? ""}
    </time>
  );
}

"use client";

// The topic explorer (issue 6): every topic the broker has carried as a tree, like
// MQTT Explorer, with its last value, message rate and retained flag. Issue 15 adds
// what MQTT Explorer users expect: a search, a click on a topic opens its payload
// (JSON pretty-printed), last message time and chart, and a publish form for
// operators. The hub's list is polled: a tree of thousands of topics is cheaper to
// refresh every few seconds than to rebuild on every message.
import { useEffect, useMemo, useState } from "react";
import { z } from "zod";
import { ExplorerPublish } from "@/components/explorer-publish";
import { ExplorerTopic } from "@/components/explorer-topic";
import { useLiveScope } from "@/components/use-live-scope";
import { useLocale, useT } from "@/components/use-t";
import { cn } from "@/lib/cn";
import { formatValue } from "@/lib/format";
import { explorerScope } from "@/lib/live-scope";
import type { Locale, Translate } from "@/lib/i18n/translate";
import { searchTopics } from "@/lib/topic-search";
import { buildTopicTree, type TopicNode } from "@/lib/topic-tree";

const POLL_MS = 2000;

const listSchema = z.object({
  topics: z.array(
    z.object({
      topic: z.string(),
      preview: z.string(),
      binaryBytes: z.number().nullable(),
      lastAt: z.number(),
      count: z.number(),
      ratePerMin: z.number(),
      retained: z.boolean(),
      hasHistory: z.boolean(),
    }),
  ),
  overflow: z.number(),
});

type Listed = z.infer<typeof listSchema>["topics"][number];
type State = { status: "loading" } | { status: "error"; httpStatus: number | null } | { status: "ready"; topics: Listed[]; overflow: number };

function useTopicList(): State {
  const [state, setState] = useState<State>({ status: "loading" });
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const response = await fetch("/api/topics", { cache: "no-store" });
        const parsed = listSchema.safeParse(await response.json());
        if (stopped) return;
        if (!response.ok || !parsed.success) setState({ status: "error", httpStatus: response.status });
        else setState({ status: "ready", ...parsed.data });
      } catch {
        if (!stopped) setState({ status: "error", httpStatus: null });
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);
  return state;
}

function formatRate(perMin: number, t: Translate, locale: Locale): string {
  if (perMin === 0) return t("explorer.idle");
  return perMin >= 60
    ? t("explorer.perSecond", { n: formatValue(Math.round((perMin / 60) * 10) / 10, locale) })
    : t("explorer.perMinute", { n: formatValue(Math.round(perMin * 10) / 10, locale) });
}

function Node({ node, selected, onSelect }: { node: TopicNode<Listed>; selected: string | null; onSelect: (t: string) => void }) {
  const { stat } = node;
  const t = useT();
  const locale = useLocale();
  const preview = !stat ? undefined : stat.binaryBytes === null ? stat.preview : t("explorer.binary", { n: formatValue(stat.binaryBytes, locale) });
  const row = (
    <span className="inline-flex max-w-full min-w-0 flex-wrap items-baseline gap-x-2">
      {stat ? (
        <button
          type="button"
          data-testid="topic-name"
          aria-pressed={selected === stat.topic}
          className="font-medium hover:underline"
          onClick={(e) => {
            // Inside a <summary>, a click would also fold the branch: opening a topic must not.
            e.preventDefault();
            onSelect(stat.topic);
          }}
        >
          {node.name || t("explorer.empty")}
        </button>
      ) : (
        <span className="font-medium">{node.name || t("explorer.empty")}</span>
      )}
      {stat && (
        <>
          <span data-testid="topic-value" className="max-w-[min(40ch,100%)] truncate font-mono text-sm" title={preview}>
            {preview}
          </span>
          <span className="text-xs text-muted">{formatRate(stat.ratePerMin, t, locale)}</span>
          {stat.retained && (
            <span data-testid="retained" className="rounded bg-accent/15 px-1.5 text-xs font-medium text-accent">
              {t("explorer.retained")}
            </span>
          )}
          {stat.hasHistory && (
            <button
              type="button"
              aria-pressed={selected === stat.topic}
              className="text-xs font-medium text-accent hover:underline"
              onClick={() => onSelect(stat.topic)}
            >
              {t("explorer.chart")}
            </button>
          )}
        </>
      )}
      {node.children.length > 0 && <span className="text-xs text-muted">{node.topicCount === 1 ? t("explorer.oneTopic") : t("explorer.topics", { n: node.topicCount })}</span>}
    </span>
  );
  return (
    <li
      data-explorer-topic={node.path}
      data-retained={stat ? String(stat.retained) : undefined}
      className={cn("py-0.5", selected === node.path && "rounded bg-accent/10")}
    >
      {node.children.length === 0 ? (
        <div className="pl-4">{row}</div>
      ) : (
        <details open>
          <summary className="cursor-pointer">{row}</summary>
          <ul className="ml-3 border-l border-line pl-2">
            {node.children.map((c) => (
              <Node key={c.path} node={c} selected={selected} onSelect={onSelect} />
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}

export function TopicExplorer() {
  const state = useTopicList();
  const t = useT();
  const [selected, setSelected] = useState<string | null>(null);
  const [query, setQuery] = useState("");
  // Not every reading of the home (issue 13): the tree is polled; see explorerScope.
  useLiveScope(explorerScope(selected));
  const tree = useMemo(() => (state.status === "ready" ? buildTopicTree(searchTopics(state.topics, query)) : []), [state, query]);
  const selectedStat = state.status === "ready" && selected !== null ? state.topics.find((s) => s.topic === selected) : undefined;
  if (state.status === "loading") return <p className="text-muted">{t("explorer.loading")}</p>;
  if (state.status === "error") {
    return (
      <p data-testid="explorer-error" className="text-danger">
        {t("explorer.unavailable", {
          reason: state.httpStatus === null ? t("explorer.noAnswer") : t("explorer.httpError", { status: state.httpStatus }),
        })}
      </p>
    );
  }
  if (state.topics.length === 0) {
    return <p data-testid="explorer-empty" className="text-muted">{t("explorer.noMessages")}</p>;
  }
  return (
    // One column the width of the screen on a phone (an implicit `auto` track grew to the
    // longest payload preview); tree and topic side by side on a wide one.
    <div className="grid grid-cols-[minmax(0,1fr)] gap-6 lg:grid-cols-[minmax(0,2fr)_minmax(0,3fr)]">
      <div className="min-w-0">
        <input
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          aria-label={t("explorer.search")}
          placeholder={t("explorer.searchHint")}
          className="mb-3 w-full rounded-md border border-line bg-canvas px-3 py-2 text-sm"
        />
        {tree.length === 0 && <p data-testid="explorer-no-match" className="text-sm text-muted">{t("explorer.noMatch", { query })}</p>}
        <ul data-testid="topic-tree" className="text-sm">
          {tree.map((n) => (
            <Node key={n.path} node={n} selected={selected} onSelect={setSelected} />
          ))}
        </ul>
        {state.overflow > 0 && (
          <p className="mt-2 text-xs text-muted">{t("explorer.overflow", { n: state.overflow })}</p>
        )}
      </div>
      <div className="flex min-w-0 flex-col gap-4">
        {selectedStat ? (
          <ExplorerTopic topic={selectedStat.topic} lastAt={selectedStat.lastAt} hasHistory={selectedStat.hasHistory} />
        ) : (
          <p className="text-sm text-muted">{t("explorer.pick")}</p>
        )}
        <ExplorerPublish key={selected ?? ""} initialTopic={selected ?? ""} />
      </div>
    </div>
  );
}

import { TopicExplorer } from "@/components/topic-explorer";

export const metadata = { title: "Topic explorer · Hearth" };

// The layout seeds the live store with the latest readings per request.
export const dynamic = "force-dynamic";

export default function ExplorerPage() {
  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-bold">Topic explorer</h1>
      <p className="text-sm text-muted">Every topic the hub’s broker has carried since it started.</p>
      <TopicExplorer />
    </div>
  );
}

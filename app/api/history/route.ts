// GET /api/history?topic=home/attic/temperature&from=<ms>&to=<ms>&points=<n>
// One chart series: at most `points` points (about the chart's width in pixels),
// raw while they fit, else min/mean/max buckets so short peaks stay visible.
import { z } from "zod";
import type { HistoryQuery } from "@/lib/history/store";
import { currentHistory } from "@/lib/hub-registry";
import { createLogger } from "@/lib/log";
import { checkTopicName } from "@/lib/topics";

// Every answer reads the live store; nothing here may be prerendered or cached.
export const dynamic = "force-dynamic";

const HOUR_MS = 60 * 60 * 1000;
const DEFAULT_RANGE_MS = HOUR_MS;
const MAX_RANGE_DAYS = 400;
const MAX_RANGE_MS = MAX_RANGE_DAYS * 24 * HOUR_MS;
const DEFAULT_POINTS = 300;
const MAX_POINTS = 2000;

const log = createLogger("api/history");

const epochMs = z
  .string()
  .regex(/^\d{1,15}$/, "must be epoch milliseconds, a whole number")
  .transform(Number);

const paramsSchema = z.object({
  topic: z.string({ error: "is required" }).superRefine((topic, ctx) => {
    const check = checkTopicName(topic);
    if (!check.ok) ctx.addIssue({ code: "custom", message: check.reason });
  }),
  from: epochMs.optional(),
  to: epochMs.optional(),
  // A budget out of range is clamped, not refused: a chart asks for its width, whatever that is.
  points: z
    .string()
    .regex(/^-?\d{1,9}$/, "must be a whole number")
    .transform((n) => Math.min(Math.max(Number(n), 1), MAX_POINTS))
    .optional(),
});

type ParsedQuery = { ok: true; query: HistoryQuery } | { ok: false; message: string };

/** Search params → a store query; defaults depend on `now`, so range checks follow the schema. */
function parseQuery(params: URLSearchParams, now: number): ParsedQuery {
  const parsed = paramsSchema.safeParse({
    topic: params.get("topic") ?? undefined,
    from: params.get("from") ?? undefined,
    to: params.get("to") ?? undefined,
    points: params.get("points") ?? undefined,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `${issue.path.join(".")}: ${issue.message}` };
  }
  const { topic, points = DEFAULT_POINTS } = parsed.data;
  const to = parsed.data.to ?? now;
  const from = parsed.data.from ?? to - DEFAULT_RANGE_MS;
  if (from > to) return { ok: false, message: "from: must not be later than to" };
  if (to - from > MAX_RANGE_MS) {
    return { ok: false, message: `from: the range from..to may span at most ${MAX_RANGE_DAYS} days` };
  }
  return { ok: true, query: { topic, from, to, maxPoints: points } };
}

function json(body: unknown, status: number): Response {
  return Response.json(body, { status, headers: { "Cache-Control": "no-store" } });
}

export async function GET(request: Request): Promise<Response> {
  const parsed = parseQuery(new URL(request.url).searchParams, Date.now());
  if (!parsed.ok) {
    return json({ error: { code: "bad-request", message: parsed.message } }, 400);
  }
  try {
    const history = await currentHistory();
    if (history === null) {
      return json({ error: { code: "hub-unavailable", message: "the hub is not running in this process" } }, 503);
    }
    const series = await history.query(parsed.query);
    return json({ ...series, serverNow: Date.now() }, 200);
  } catch (error) {
    log.error("history query failed", {
      topic: parsed.query.topic,
      error: error instanceof Error ? error.message : String(error),
    });
    return json({ error: { code: "history-failed", message: "the history store could not answer; see the hub's log" } }, 500);
  }
}

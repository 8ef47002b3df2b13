// History requests from the network, checked once (zod) and turned into store
// queries. Shared by every route under app/api/history, so they agree on defaults,
// limits and error messages.
import { z } from "zod";
import { checkTopicFilter, checkTopicName } from "../topics";

const HOUR_MS = 60 * 60 * 1000;
export const DEFAULT_RANGE_MS = HOUR_MS;
export const MAX_RANGE_DAYS = 400;
const MAX_RANGE_MS = MAX_RANGE_DAYS * 24 * HOUR_MS;
export const DEFAULT_POINTS = 300;
export const MAX_POINTS = 2000;
/** A filter like home/# may match many topics; one chart draws at most this many. */
export const MAX_SERIES = 24;

export type HistoryRequest = { topic: string; from: number; to: number; points: number };
export type ParsedRequest = { ok: true; request: HistoryRequest } | { ok: false; message: string };

const epochMs = z
  .string()
  .regex(/^\d{1,15}$/, "must be epoch milliseconds, a whole number")
  .transform(Number);

const topicField = (allowWildcards: boolean) =>
  z.string({ error: "is required" }).superRefine((topic, ctx) => {
    const check = allowWildcards ? checkTopicFilter(topic) : checkTopicName(topic);
    if (!check.ok) ctx.addIssue({ code: "custom", message: check.reason });
  });

const schema = (allowWildcards: boolean) =>
  z.object({
    topic: topicField(allowWildcards),
    from: epochMs.optional(),
    to: epochMs.optional(),
    // A budget out of range is clamped, not refused: a chart asks for its width, whatever that is.
    points: z
      .string()
      .regex(/^-?\d{1,9}$/, "must be a whole number")
      .transform((n) => Math.min(Math.max(Number(n), 1), MAX_POINTS))
      .optional(),
  });

const single = schema(false);
const filtered = schema(true);

/**
 * Search params → a request; `from`/`to` default to the hour before `now` (the hub's
 * clock). With `allowWildcards`, `topic` may be a filter such as home/+/temperature.
 */
export function parseHistoryRequest(params: URLSearchParams, now: number, allowWildcards = false): ParsedRequest {
  const parsed = (allowWildcards ? filtered : single).safeParse({
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
  return { ok: true, request: { topic, from, to, points } };
}

export function jsonResponse(body: unknown, status: number): Response {
  return Response.json(body, { status, headers: { "Cache-Control": "no-store" } });
}

/** JSON already written as bytes (series-json.ts), with Response.json's headers. */
export function jsonBytesResponse(body: Uint8Array<ArrayBuffer>, status: number): Response {
  return new Response(body, { status, headers: { "Content-Type": "application/json", "Cache-Control": "no-store" } });
}

export function errorResponse(code: string, message: string, status: number): Response {
  return jsonResponse({ error: { code, message } }, status);
}

export function csvResponse(body: string | ReadableStream<Uint8Array>, fileName: string, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${fileName}"`,
      "Cache-Control": "no-store",
      ...headers,
    },
  });
}

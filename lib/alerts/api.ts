// The edge between HTTP and the alert engine, shared by the alert route handlers:
// one JSON error shape `{ error: { code, message } }`, one mapping from engine
// error codes to statuses, one way of validating a body with zod.
import type { z } from "zod";
import { getHub } from "../hub-link";
import { createLogger } from "../log";
import type { Remote, HubApi } from "../hub-api";
import type { AlertErrorCode, AlertResult } from "./service";

type AlertService = Remote<HubApi>["alerts"];

const STATUS: Record<AlertErrorCode, number> = {
  "rule-not-found": 404,
  "alert-not-found": 404,
  "rule-id-taken": 409,
  "not-firing": 409,
  "bad-snooze": 400,
  "database-unreachable": 503,
};

const log = createLogger("api/alerts");

export function json(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: { "Cache-Control": "no-store" } });
}

/** Every refusal is logged once here, with the code the client gets. */
export function alertsErrorResponse(code: string, message: string, status: number, details?: Record<string, string>): Response {
  log.warn("refused a request", { code, status, message });
  return json({ error: { code, message, ...(details ? { fields: details } : {}) } }, status);
}

/** The running engine, or the 503 to answer with (during `next build`, or outside the hub). */
export function alertService(): AlertService | Response {
  return getHub()?.alerts ?? alertsErrorResponse("hub-unavailable", "the hub is not running in this process", 503);
}

/** A JSON body through `schema`; a 400 naming each bad field otherwise. */
export async function readBody<T>(request: Request, schema: z.ZodType<T>): Promise<T | Response> {
  // A page elsewhere can send text/plain without a CORS preflight, never application/json.
  const type = request.headers.get("content-type")?.split(";")[0].trim().toLowerCase();
  if (type !== "application/json") {
    return alertsErrorResponse("unsupported-media-type", "the body must be JSON, sent as Content-Type: application/json", 415);
  }
  let body: unknown;
  try {
    body = await request.json();
  } catch {
    return alertsErrorResponse("bad-request", "the body must be JSON", 400);
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) fields[issue.path.join(".") || "body"] ??= issue.message;
  const [field, message] = Object.entries(fields)[0];
  return alertsErrorResponse("bad-request", `${field}: ${message}`, 400, fields);
}

/** The running engine and a valid body, or the Response that says why not: what every mutation needs after its guard. */
export async function readRequest<T>(request: Request, schema: z.ZodType<T>): Promise<{ service: AlertService; body: T } | Response> {
  const service = alertService();
  if (service instanceof Response) return service;
  const body = await readBody(request, schema);
  return body instanceof Response ? body : { service, body };
}

export function resultResponse<T>(result: AlertResult<T>, status = 200): Response {
  return result.ok ? json(result.value, status) : alertsErrorResponse(result.code, result.message, STATUS[result.code]);
}

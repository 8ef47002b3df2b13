// The browser's side of the alerts API: one fetch wrapper that turns the hub's
// `{ error: { code, message, fields } }` answers into a value or an error with a code,
// which the page words in its language (alertsApiErrorText); `message` is the hub's English.

/** `status` is null when the hub could not be reached at all (code "network"). */
export type ApiError = { ok: false; code: string; message: string; status: number | null; fields?: Record<string, string> };
export type ApiResult<T> = { ok: true; value: T } | ApiError;

export async function callAlertsApi<T>(path: string, method: "GET" | "POST" | "PUT" | "DELETE", body?: unknown): Promise<ApiResult<T>> {
  let response: Response;
  try {
    response = await fetch(`/api/alerts${path}`, {
      method,
      headers: body === undefined ? undefined : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
  } catch {
    return { ok: false, code: "network", message: "the hub could not be reached", status: null };
  }
  const json = (await response.json().catch(() => null)) as (T & { error?: { code: string; message: string; fields?: Record<string, string> } }) | null;
  // A DELETE answers `null`: success needs no body.
  if (response.ok) return { ok: true, value: json as T };
  const error = json?.error;
  return {
    ok: false,
    code: error?.code ?? `http-${response.status}`,
    message: error?.message ?? `the hub answered HTTP ${response.status}`,
    status: response.status,
    fields: error?.fields,
  };
}

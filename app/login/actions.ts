"use server";

// Login, onboarding and logout. Each answers with a message a person can act on;
// a wrong password never says which half was wrong.
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { accountErrorText } from "@/lib/auth/account-error-text";
import { isAccountError, MIN_PASSWORD_LENGTH } from "@/lib/auth/account-store";
import { REMOTE_ADDRESS_HEADER } from "@/lib/auth/request-headers";
import { safeNext } from "@/lib/auth/safe-next";
import { SESSION_COOKIE, sessionCookieOptions } from "@/lib/auth/session-cookie";
import { getHub, type WebHub } from "@/lib/hub-link";
import { getT } from "@/lib/i18n/server";
import { createLogger } from "@/lib/log";
import { databaseFaultCode, storageFaultCode } from "@/lib/database-fault";

/** `username` refills the field: React resets a form after its action runs. */
export type FormState = { error: string | null; username?: string };

const log = createLogger("auth");

function hubOrThrow(): WebHub {
  const hub = getHub();
  if (hub === null) throw new Error("the hub is not running in this process");
  return hub;
}

async function startSession(hub: WebHub, username: string): Promise<void> {
  const { token } = await hub.accounts.createSession(username, hub.sessionTtlMs);
  (await cookies()).set(SESSION_COOKIE, token, sessionCookieOptions(hub.secureCookies, Math.floor(hub.sessionTtlMs / 1000)));
}

/**
 * An account write the database could not take (the disk full or read-only, PostgreSQL away):
 * the form says so, the log has the code; null for anything else, which is rethrown.
 */
async function writeFault(error: unknown, username: string): Promise<FormState | null> {
  const storage = storageFaultCode(error);
  const code = databaseFaultCode(error) ?? storage;
  if (code === null) return null;
  log.error("cannot save an account change", { code, username, error: (error as Error).message });
  const t = await getT();
  return { error: t(storage === null ? "auth.error.database" : "auth.error.storage"), username };
}

export async function login(_previous: FormState, form: FormData): Promise<FormState> {
  const hub = hubOrThrow();
  const username = String(form.get("username") ?? "").trim();
  const password = String(form.get("password") ?? "");
  const t = await getT();
  if (!username || !password) return { error: t("auth.error.missing"), username };
  const address = (await headers()).get(REMOTE_ADDRESS_HEADER) ?? "unknown";
  const keys = [`user:${username.toLowerCase()}`, `address:${address}`];
  // Reserved before the hash (review 8, F2): parallel guesses cannot all pass the check.
  const wait = await hub.loginThrottle.reserve(keys);
  if (wait > 0) {
    log.warn("login throttled", { code: "login-throttled", username, address });
    return { error: t("auth.error.throttled", { n: Math.ceil(wait / 1000) }), username };
  }
  let user;
  try {
    user = await hub.accounts.verifyUser(username, password);
  } catch (error) {
    await hub.loginThrottle.end(keys, "abandoned");
    const code = databaseFaultCode(error);
    if (code === null) throw error;
    log.warn("login failed", { code, username, address });
    return { error: t("auth.error.database"), username };
  }
  if (user === null) {
    await hub.loginThrottle.end(keys, "failed");
    log.warn("login failed", { code: "bad-credentials", username, address });
    return { error: t("auth.error.wrong"), username };
  }
  await hub.loginThrottle.end(keys, "succeeded");
  try {
    await startSession(hub, user.username);
  } catch (error) {
    const fault = await writeFault(error, user.username);
    if (fault === null) throw error;
    return fault;
  }
  log.info("logged in", { username: user.username, role: user.role, address });
  redirect(safeNext(form.get("next")));
}

export async function createFirstAdmin(_previous: FormState, form: FormData): Promise<FormState> {
  const hub = hubOrThrow();
  // Onboarding exists only while there is no user at all; afterwards admins add users.
  if ((await hub.accounts.userCount()) > 0) redirect("/login");
  const username = String(form.get("username") ?? "").trim();
  const password = String(form.get("password") ?? "");
  const t = await getT();
  if (password !== String(form.get("confirm") ?? "")) return { error: t("auth.error.passwordsDiffer"), username };
  try {
    await hub.accounts.createUser(username, password, "admin", { firstOnly: true });
  } catch (error) {
    if (isAccountError(error)) {
      return { error: accountErrorText(t, error, { kind: "user", name: username, role: "admin", minPasswordLength: MIN_PASSWORD_LENGTH }), username };
    }
    const fault = await writeFault(error, username);
    if (fault === null) throw error;
    return fault;
  }
  log.info("created the admin account (onboarding)", { username });
  try {
    await startSession(hub, username);
  } catch (error) {
    const fault = await writeFault(error, username);
    if (fault === null) throw error;
    return fault;
  }
  redirect("/");
}

export async function logout(): Promise<void> {
  const hub = getHub();
  const jar = await cookies();
  const token = jar.get(SESSION_COOKIE)?.value;
  if (hub && token) {
    // The accounts tell the hub thread, which closes the session's /mqtt connections.
    const session = await hub.accounts.endSession(token);
    if (session) log.info("logged out", { username: session.username });
  }
  jar.delete(SESSION_COOKIE);
  redirect("/login");
}

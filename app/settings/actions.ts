"use server";

// Admin actions for users and device accounts. Each checks the role itself: a
// server action is reachable by POST whatever the page around it showed.
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { z } from "zod";
import { accountErrorText } from "@/lib/auth/account-error-text";
import { isAccountError, MIN_PASSWORD_LENGTH } from "@/lib/auth/account-store";
import { defaultDeviceTopics, hostFromHeader, mosquittoPubLine, type MqttAddress } from "@/lib/auth/device-setup";
import { requireRoleOrRedirect } from "@/lib/auth/current-user";
import { ROLES } from "@/lib/auth/roles";
import { getHub } from "@/lib/hub-link";
import { getT } from "@/lib/i18n/server";
import type { Translate } from "@/lib/i18n/translate";
import { createLogger } from "@/lib/log";

/**
 * What a settings form shows after its action: a message or an error (with the
 * store's stable code, e.g. "last-admin"), and for a new device its password and a
 * command line to try it, shown once.
 */
export type SettingsState = { error: string | null; code?: string; message: string | null; secret?: string; setup?: string };

const log = createLogger("settings");
const ok = (message: string, extra: Pick<SettingsState, "secret" | "setup"> = {}): SettingsState => ({ error: null, message, ...extra });
const fail = (error: string, code?: string): SettingsState => ({ error, code, message: null });

function accounts() {
  const hub = getHub();
  if (hub === null) throw new Error("the hub is not running in this process");
  return hub;
}

/** AccountError messages are written for people; anything else is a bug, logged and kept vague. */
function explain(
  t: Translate,
  error: unknown,
  subject: { kind: "user" | "device"; name: string; role?: string },
): SettingsState {
  if (isAccountError(error)) {
    log.warn("settings change refused", { code: error.code, [subject.kind]: subject.name, reason: error.message });
    return fail(accountErrorText(t, error, { ...subject, minPasswordLength: MIN_PASSWORD_LENGTH }), error.code);
  }
  log.error("settings action failed", { error: (error as Error).message });
  return fail(t("settings.failed"));
}

const userForm = (t: Translate) =>
  z.object({
    username: z.string().trim().min(1, t("settings.users.enterUsername")),
    password: z.string(),
    role: z.enum(ROLES, t("settings.users.pickRole")),
  });

export async function addUser(_previous: SettingsState, form: FormData): Promise<SettingsState> {
  const admin = await requireRoleOrRedirect("admin");
  const t = await getT();
  const parsed = userForm(t).safeParse(Object.fromEntries(form));
  if (!parsed.success) return fail(parsed.error.issues[0].message);
  try {
    const user = await accounts().accounts.createUser(parsed.data.username, parsed.data.password, parsed.data.role);
    log.info("user created", { username: user.username, role: user.role, by: admin.username });
    revalidatePath("/settings/users");
    return ok(t("settings.users.created", { role: t(`role.${user.role}`), name: user.username }));
  } catch (error) {
    return explain(t, error, { kind: "user", name: parsed.data.username, role: parsed.data.role });
  }
}

export async function setUserRole(_previous: SettingsState, form: FormData): Promise<SettingsState> {
  const admin = await requireRoleOrRedirect("admin");
  const t = await getT();
  const parsed = userForm(t).pick({ username: true, role: true }).safeParse(Object.fromEntries(form));
  if (!parsed.success) return fail(parsed.error.issues[0].message);
  try {
    await accounts().accounts.setRole(parsed.data.username, parsed.data.role);
    log.info("role changed", { username: parsed.data.username, role: parsed.data.role, by: admin.username });
    revalidatePath("/settings/users");
    return ok(t("settings.users.roleSaved", { name: parsed.data.username, role: t(`role.${parsed.data.role}`) }));
  } catch (error) {
    return explain(t, error, { kind: "user", name: parsed.data.username, role: parsed.data.role });
  }
}

export async function removeUser(_previous: SettingsState, form: FormData): Promise<SettingsState> {
  const admin = await requireRoleOrRedirect("admin");
  const t = await getT();
  const username = String(form.get("username") ?? "");
  try {
    await accounts().accounts.deleteUser(username);
    log.info("user removed", { username, by: admin.username });
    revalidatePath("/settings/users");
    return ok(t("settings.users.removed", { name: username }));
  } catch (error) {
    return explain(t, error, { kind: "user", name: username });
  }
}

/** An admin gives someone a new password; every session of theirs ends. */
export async function resetPassword(_previous: SettingsState, form: FormData): Promise<SettingsState> {
  const admin = await requireRoleOrRedirect("admin");
  const t = await getT();
  const username = String(form.get("username") ?? "");
  try {
    await accounts().accounts.setPassword(username, String(form.get("password") ?? ""));
    log.info("password reset", { username, by: admin.username });
    return ok(t("settings.users.passwordReset", { name: username }));
  } catch (error) {
    return explain(t, error, { kind: "user", name: username });
  }
}

/** Where a device on the admin's network reaches this hub's MQTT: the host their browser used. */
async function mqttAddress(): Promise<MqttAddress | null> {
  const ports = accounts().mqttPorts;
  const host = hostFromHeader((await headers()).get("host"));
  if (ports.plain !== null) return { host, port: ports.plain, tls: false };
  if (ports.tls !== null) return { host, port: ports.tls, tls: true };
  return null;
}

export async function addDevice(_previous: SettingsState, form: FormData): Promise<SettingsState> {
  const admin = await requireRoleOrRedirect("admin");
  const name = String(form.get("name") ?? "").trim();
  const topicsText = String(form.get("topics") ?? "").trim();
  const topics = topicsText ? topicsText.split(/[\s,]+/).filter(Boolean) : defaultDeviceTopics(name);
  const t = await getT();
  try {
    const { device, password } = await accounts().accounts.createDevice(name, topics);
    log.info("device account created", { device: device.name, topics: device.topics.join(","), by: admin.username });
    revalidatePath("/settings/devices");
    const address = await mqttAddress();
    const setup = address ? mosquittoPubLine(address, { name: device.name, password, topics: device.topics }) : undefined;
    return ok(t("settings.devices.created", { name: device.name, topics: device.topics.join(", ") }), { secret: password, setup });
  } catch (error) {
    return explain(t, error, { kind: "device", name });
  }
}

export async function removeDevice(_previous: SettingsState, form: FormData): Promise<SettingsState> {
  const admin = await requireRoleOrRedirect("admin");
  const t = await getT();
  const name = String(form.get("name") ?? "");
  try {
    await accounts().accounts.deleteDevice(name);
    log.info("device account removed", { device: name, by: admin.username });
    revalidatePath("/settings/devices");
    return ok(t("settings.devices.removed", { name }));
  } catch (error) {
    return explain(t, error, { kind: "device", name });
  }
}

/** Anyone signed in changes their own password, proving the current one; this session stays. */
export async function changeOwnPassword(_previous: SettingsState, form: FormData): Promise<SettingsState> {
  const me = await requireRoleOrRedirect("viewer");
  const t = await getT();
  const next = String(form.get("password") ?? "");
  if (next !== String(form.get("confirm") ?? "")) return fail(t("auth.error.passwordsDiffer"), "passwords-differ");
  const hub = accounts();
  const store = hub.accounts;
  // The login's throttle, on the same key (review 8, F8): whoever holds a session (an
  // unlocked phone, a stolen cookie) must not guess the password that outlives it here.
  const keys = [`user:${me.username.toLowerCase()}`];
  const wait = await hub.loginThrottle.reserve(keys);
  if (wait > 0) {
    log.warn("password change refused", { code: "login-throttled", username: me.username });
    return fail(t("auth.error.throttled", { n: Math.ceil(wait / 1000) }), "login-throttled");
  }
  let verified;
  try {
    verified = await store.verifyUser(me.username, String(form.get("current") ?? ""));
  } catch (error) {
    await hub.loginThrottle.end(keys, "abandoned");
    throw error;
  }
  await hub.loginThrottle.end(keys, verified === null ? "failed" : "succeeded");
  if (verified === null) {
    log.warn("password change refused", { code: "wrong-password", username: me.username });
    return fail(t("settings.account.wrongPassword"), "wrong-password");
  }
  try {
    await store.setPassword(me.username, next, { keepSession: me.sessionId });
    log.info("password changed", { username: me.username });
    return ok(t("settings.account.changed"));
  } catch (error) {
    return explain(t, error, { kind: "user", name: me.username });
  }
}

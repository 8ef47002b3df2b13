"use server";

// Admin actions for users and device accounts. Each checks the role itself: a
// server action is reachable by POST whatever the page around it showed.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { accountErrorText } from "@/lib/auth/account-error-text";
import { isAccountError, MIN_PASSWORD_LENGTH } from "@/lib/auth/account-store";
import { requireRole } from "@/lib/auth/current-user";
import { ROLES } from "@/lib/auth/roles";
import { getHub } from "@/lib/hub-link";
import { getT } from "@/lib/i18n/server";
import type { Translate } from "@/lib/i18n/translate";
import { createLogger } from "@/lib/log";

export type SettingsState = { error: string | null; message: string | null; secret?: string };

const log = createLogger("settings");
const ok = (message: string, secret?: string): SettingsState => ({ error: null, message, secret });
const fail = (error: string): SettingsState => ({ error, message: null });

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
  if (isAccountError(error)) return fail(accountErrorText(t, error, { ...subject, minPasswordLength: MIN_PASSWORD_LENGTH }));
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
  const admin = await requireRole("admin");
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

export async function setUserRole(form: FormData): Promise<void> {
  const admin = await requireRole("admin");
  const t = await getT();
  const parsed = userForm(t).pick({ username: true, role: true }).safeParse(Object.fromEntries(form));
  if (!parsed.success) return;
  try {
    accounts().accounts.setRole(parsed.data.username, parsed.data.role);
    log.info("role changed", { username: parsed.data.username, role: parsed.data.role, by: admin.username });
  } catch (error) {
    explain(t, error, { kind: "user", name: parsed.data.username, role: parsed.data.role });
  }
  revalidatePath("/settings/users");
}

export async function removeUser(form: FormData): Promise<void> {
  const admin = await requireRole("admin");
  const username = String(form.get("username") ?? "");
  try {
    accounts().accounts.deleteUser(username);
    log.info("user removed", { username, by: admin.username });
  } catch (error) {
    explain(await getT(), error, { kind: "user", name: username });
  }
  revalidatePath("/settings/users");
}

export async function addDevice(_previous: SettingsState, form: FormData): Promise<SettingsState> {
  const admin = await requireRole("admin");
  const name = String(form.get("name") ?? "").trim();
  const topicsText = String(form.get("topics") ?? "").trim();
  const topics = topicsText ? topicsText.split(/[\s,]+/).filter(Boolean) : [`home/${name}/#`];
  const t = await getT();
  try {
    const { device, password } = await accounts().accounts.createDevice(name, topics);
    log.info("device account created", { device: device.name, topics: device.topics.join(","), by: admin.username });
    revalidatePath("/settings/devices");
    return ok(t("settings.devices.created", { name: device.name, topics: device.topics.join(", ") }), password);
  } catch (error) {
    return explain(t, error, { kind: "device", name });
  }
}

export async function removeDevice(form: FormData): Promise<void> {
  const admin = await requireRole("admin");
  const name = String(form.get("name") ?? "");
  try {
    accounts().accounts.deleteDevice(name);
    log.info("device account removed", { device: name, by: admin.username });
  } catch (error) {
    explain(await getT(), error, { kind: "device", name });
  }
  revalidatePath("/settings/devices");
}

"use server";

// Admin actions for users and device accounts. Each checks the role itself: a
// server action is reachable by POST whatever the page around it showed.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { isAccountError } from "@/lib/auth/account-store";
import { requireRole } from "@/lib/auth/current-user";
import { ROLES } from "@/lib/auth/roles";
import { getHub } from "@/lib/hub-registry";
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
function explain(error: unknown): SettingsState {
  if (isAccountError(error)) return fail(`${error.message[0].toUpperCase()}${error.message.slice(1)}.`);
  log.error("settings action failed", { error: (error as Error).message });
  return fail("That did not work; see the hub's log.");
}

const userForm = z.object({
  username: z.string().trim().min(1, "Enter a username."),
  password: z.string(),
  role: z.enum(ROLES, "Pick a role."),
});

export async function addUser(_previous: SettingsState, form: FormData): Promise<SettingsState> {
  const admin = await requireRole("admin");
  const parsed = userForm.safeParse(Object.fromEntries(form));
  if (!parsed.success) return fail(parsed.error.issues[0].message);
  try {
    const user = await accounts().accounts.createUser(parsed.data.username, parsed.data.password, parsed.data.role);
    log.info("user created", { username: user.username, role: user.role, by: admin.username });
    revalidatePath("/settings/users");
    return ok(`Created ${user.role} ${user.username}.`);
  } catch (error) {
    return explain(error);
  }
}

export async function setUserRole(form: FormData): Promise<void> {
  const admin = await requireRole("admin");
  const parsed = userForm.pick({ username: true, role: true }).safeParse(Object.fromEntries(form));
  if (!parsed.success) return;
  try {
    accounts().accounts.setRole(parsed.data.username, parsed.data.role);
    log.info("role changed", { username: parsed.data.username, role: parsed.data.role, by: admin.username });
  } catch (error) {
    explain(error);
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
    explain(error);
  }
  revalidatePath("/settings/users");
}

export async function addDevice(_previous: SettingsState, form: FormData): Promise<SettingsState> {
  const admin = await requireRole("admin");
  const name = String(form.get("name") ?? "").trim();
  const topicsText = String(form.get("topics") ?? "").trim();
  const topics = topicsText ? topicsText.split(/[\s,]+/).filter(Boolean) : [`home/${name}/#`];
  try {
    const { device, password } = await accounts().accounts.createDevice(name, topics);
    log.info("device account created", { device: device.name, topics: device.topics.join(","), by: admin.username });
    revalidatePath("/settings/devices");
    return ok(`Created device account ${device.name} for ${device.topics.join(", ")}. Its password is shown only now:`, password);
  } catch (error) {
    return explain(error);
  }
}

export async function removeDevice(form: FormData): Promise<void> {
  const admin = await requireRole("admin");
  const name = String(form.get("name") ?? "");
  try {
    accounts().accounts.deleteDevice(name);
    log.info("device account removed", { device: name, by: admin.username });
  } catch (error) {
    explain(error);
  }
  revalidatePath("/settings/devices");
}

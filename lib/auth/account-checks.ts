// The accounts' errors and the checks of what a person typed (issue 14): names,
// passwords, roles and a device's topics, each refused with a stable code
// (account-error-text.ts words it for the forms). Split from account-store.ts.
import { checkTopicFilter, type TopicProblem } from "../topics";
import { isRole, type Role } from "./roles";

/** What was wrong with a device account's topics, for the forms to word in their language. */
export type TopicsProblem =
  | { problem: "none" }
  | { problem: "invalid"; topic: string; check: TopicProblem }
  | { problem: "too-broad"; topic: string };

export class AccountError extends Error {
  constructor(
    readonly code:
      | "name-invalid"
      | "name-taken"
      | "password-too-short"
      | "role-invalid"
      | "topic-invalid"
      | "not-found"
      | "last-admin"
      | "already-set-up",
    message: string,
    /** With "topic-invalid": which topic and why; the message says the same in English. */
    readonly topics?: TopicsProblem,
  ) {
    super(message);
    this.name = "AccountError";
  }
}

/**
 * instanceof fails across Next's bundles, each with its own copy of this module,
 * so code on the Next side recognises an AccountError by its name and code.
 */
export function isAccountError(error: unknown): error is AccountError {
  return error instanceof Error && error.name === "AccountError" && typeof (error as AccountError).code === "string";
}

export const MIN_PASSWORD_LENGTH = 8;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkName(name: string, what: string): void {
  if (!NAME.test(name)) {
    throw new AccountError(
      "name-invalid",
      `${what} must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit (got ${JSON.stringify(name)})`,
    );
  }
}

export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AccountError("password-too-short", `a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  }
}

export function checkRole(role: string): asserts role is Role {
  if (!isRole(role)) throw new AccountError("role-invalid", `role must be viewer, operator or admin (got ${JSON.stringify(role)})`);
}

export function checkDeviceTopics(topics: string[]): void {
  if (topics.length === 0) {
    throw new AccountError("topic-invalid", "a device account needs at least one topic filter", { problem: "none" });
  }
  for (const topic of topics) {
    const check = checkTopicFilter(topic);
    if (!check.ok) {
      const { ok: _, ...problem } = check;
      throw new AccountError("topic-invalid", `topic filter ${JSON.stringify(topic)}: ${check.reason}`, { problem: "invalid", topic, check: problem });
    }
    if (topic.startsWith("$") || topic.startsWith("#") || topic.startsWith("+")) {
      const message = `topic filter ${JSON.stringify(topic)} is too broad for one device; name its first level`;
      throw new AccountError("topic-invalid", message, { problem: "too-broad", topic });
    }
  }
}

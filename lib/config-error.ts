// How a bad setting is reported: one error with a stable code, and a message that
// names the setting, where it came from, and what is allowed.
import type { z } from "zod";

export class ConfigError extends Error {
  readonly code = "config-invalid";
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** One line per issue, naming the setting, its source and the value it got. */
export function describeIssues(error: z.ZodError, source: string, input: unknown): string {
  return error.issues
    .map((issue) => {
      const name = issue.path.join(".") || "(top level)";
      const got = issue.path.reduce<unknown>(
        (value, key) => (value && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined),
        input,
      );
      const shown = got === undefined ? "" : ` (got ${JSON.stringify(hidePassword(got))})`;
      return `${name} in ${source}: ${issue.message}${shown}`;
    })
    .join("\n  ");
}

/** A URL's password never reaches a log line: postgres://hearth:***@db/hearth. */
function hidePassword(value: unknown): unknown {
  return typeof value === "string" ? value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, "$1***@") : value;
}

// What every AlertStore does to the rows it reads back, whatever keeps them (SQLite,
// PostgreSQL): rules and states are JSON, validated on the way in, and a row that a
// newer or older Hearth wrote and that no longer parses is skipped and logged, never fatal.
import { z } from "zod";
import type { Logger } from "../log";
import { RULE_ID, ruleInputSchema, type Rule } from "./rule";
import type { AlertState } from "./state-machine";

/** History kept: plenty for a home, bounded for a Raspberry Pi's SD card. */
export const MAX_HISTORY = 10_000;

export const storedRuleSchema = z.object({ id: z.string().regex(RULE_ID) }).passthrough();

const stateSchema: z.ZodType<AlertState> = z.object({
  status: z.enum(["ok", "pending", "firing", "resolved"]),
  since: z.number(),
  value: z.number().nullable(),
  lastSeen: z.number().nullable(),
  reason: z.enum(["threshold", "silent", "offline"]).nullable(),
  firedAt: z.number().nullable(),
  acknowledgedAt: z.number().nullable(),
  snoozedUntil: z.number().nullable(),
  notifiedAt: z.number().nullable(),
});

export function parseStoredRule(id: string, definition: string, log: Logger): Rule | null {
  const parsed = ruleInputSchema.safeParse(JSON.parse(definition));
  if (parsed.success) return { ...parsed.data, id };
  log.error("skipped a stored rule that no longer validates", { rule: id, error: parsed.error.issues[0]?.message });
  return null;
}

export function parseStoredState(ruleId: string, topic: string, state: string, log: Logger): AlertState | null {
  const parsed = stateSchema.safeParse(JSON.parse(state));
  if (parsed.success) return parsed.data;
  log.error("skipped a stored alert state that does not parse", { rule: ruleId, topic });
  return null;
}

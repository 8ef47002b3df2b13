// Bodies of the acknowledge and snooze requests, shared by the route handlers and the buttons that send them.
import { z } from "zod";

export const alertRefSchema = z.strictObject({
  ruleId: z.string().min(1, "is required"),
  topic: z.string().min(1, "is required"),
});

/** The snooze lengths the alerts page offers; the API accepts any whole number of minutes up to a week. */
export const SNOOZE_MINUTES = [15, 60, 8 * 60, 24 * 60] as const;

export const snoozeSchema = alertRefSchema.extend({
  minutes: z.number().int("must be whole minutes").min(1, "must be at least 1").max(7 * 24 * 60, "must be at most a week"),
});

export type AlertRef = z.infer<typeof alertRefSchema>;

// What the browser remembers between visits (issue 7): the last readings it saw and
// when the hub was last live, so a page opened while the hub is unreachable shows
// the last known values "as of <time>". localStorage is input like any other:
// validated here, and a bad entry is ignored, never trusted.
import { z } from "zod";
import type { Reading } from "./readings";

export const LAST_VALUES_KEY = "hearth:last-values";
/** Far more than a home has; keeps a corrupted or hostile entry from costing much. */
const MAX_READINGS = 2000;

const readingSchema = z.object({
  topic: z.string().min(1),
  room: z.string(),
  measurement: z.string(),
  value: z.number(),
  unit: z.string(),
  ts: z.number(),
});

const lastValuesSchema = z.object({
  v: z.literal(1),
  /** Epoch ms the page was last connected to the hub; null: never in this browser. */
  lastLiveAt: z.number().nullable(),
  readings: z.array(readingSchema).max(MAX_READINGS),
});

export type LastValues = z.infer<typeof lastValuesSchema>;

export function serializeLastValues(readings: readonly Reading[], lastLiveAt: number | null): string {
  const value: LastValues = { v: 1, lastLiveAt, readings: readings.slice(0, MAX_READINGS) };
  return JSON.stringify(value);
}

/** The stored entry, or null when there is none or it is not one we wrote. */
export function parseLastValues(text: string | null): LastValues | null {
  if (!text) return null;
  try {
    const result = lastValuesSchema.safeParse(JSON.parse(text));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}

// What a bench section is: run.ts runs a list of these and prints their rows.
import type { Row } from "./report";

/** full: the real run (under 15 min); quick: a smoke run (under 2 min); tiny: seconds a section, for developing. */
export type Mode = "full" | "quick" | "tiny";

export type SectionContext = {
  mode: Mode;
  /** Progress lines on stderr, so stdout stays the table. */
  log(message: string): void;
  /** Cores this machine has; brokers and load are pinned apart where there are two. */
  cores: number;
};

export type SectionResult = { rows: Row[]; /** Raw samples and settings, kept in the JSON. */ raw?: unknown };

export type Section = {
  id: string;
  title: string;
  run(ctx: SectionContext): Promise<SectionResult>;
};

/** Picks a setting by mode: `byMode(ctx, { full: 30, quick: 8, tiny: 3 })`. */
export function byMode<T>(ctx: SectionContext, values: Record<Mode, T>): T {
  return values[ctx.mode];
}

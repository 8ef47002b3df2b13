// The bench's output: rows of figures, printed as one table and written as JSON.
// A row holds Hearth's figure over the repetitions, the references measured in the
// same run, and the budget it is held to.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Summary } from "./stats";

export type Reference = { name: string; value: number; /** Hearth's median / this one. */ ratio: number };

export type Budget = {
  /** As printed: "< 25 ms", "≥ 0.9 × aedes". */
  text: string;
  met: boolean;
};

export type Row = {
  section: string;
  figure: string;
  unit: string;
  value: Summary;
  references?: Reference[];
  budget?: Budget;
  note?: string;
};

/** 3 significant digits, "k" past ten thousand, "M" past a million: the table is for reading, the JSON keeps every digit. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return "–";
  const abs = Math.abs(x);
  if (abs >= 1e6) return `${(x / 1e6).toPrecision(3)}M`;
  if (abs >= 10_000) return `${(x / 1000).toPrecision(3)}k`;
  if (abs >= 100 || Number.isInteger(x)) return x.toFixed(0);
  if (abs >= 10) return x.toFixed(1);
  if (abs >= 1) return x.toFixed(2);
  if (abs === 0) return "0";
  return x.toPrecision(2);
}

function cells(row: Row): string[] {
  const { median, min, max, n } = row.value;
  const range = n > 1 ? `${formatNumber(min)}–${formatNumber(max)}` : "";
  const refs = row.references ?? [];
  return [
    row.figure,
    `${formatNumber(median)} ${row.unit}`.trim(),
    range,
    refs.map((r) => `${r.name} ${formatNumber(r.value)}`).join(", "),
    refs.map((r) => (Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}×` : "–")).join(", "),
    row.budget?.text ?? "",
    row.budget ? (row.budget.met ? "met" : "NOT MET") : "",
  ];
}

const HEADER = ["figure", "median", "min–max", "reference", "ratio", "budget", ""];

/** A plain-text table, one block per section; notes follow their section. */
export function formatTable(rows: readonly Row[]): string {
  const table = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  const out: string[] = [line(HEADER), widths.map((w) => "─".repeat(w)).join("  ")];
  let section = "";
  for (const row of rows) {
    if (row.section !== section) {
      section = row.section;
      out.push(`[${section}]`);
    }
    out.push(line(cells(row)));
    if (row.note) out.push(`    ${row.note}`);
  }
  return out.join("\n");
}

export function writeResults(dir: string, result: object, startedAt: Date): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

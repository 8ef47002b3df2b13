// The bench's output: rows of figures, printed as one table and written as JSON.
// A row holds Hearth's figure over the repetitions, the references measured in the
// same run, the budget it is held to, and the same figure from a baseline run (an
// earlier results file) with the change since, so a change is judged side by side.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
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
  /** The same figure's median in the baseline run, and this run's change from it (0.1 = 10 % more). */
  baseline?: { value: number; change: number };
  note?: string;
};

/** What a results file holds that a later run compares with; `sections` keyed by section id. */
export type Results = { startedAt: string; mode: string; machine?: { commit?: string }; rows: Row[]; sections?: Record<string, unknown> };

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

/** Each row with the baseline run's figure of the same section and name, where it has one. */
export function withBaseline(rows: readonly Row[], baseline: readonly Row[]): Row[] {
  const before = new Map(baseline.map((r) => [`${r.section}\n${r.figure}`, r.value.median]));
  return rows.map((row) => {
    const value = before.get(`${row.section}\n${row.figure}`);
    if (value === undefined || !Number.isFinite(value) || !Number.isFinite(row.value.median)) return row;
    return { ...row, baseline: { value, change: value === 0 ? (row.value.median === 0 ? 0 : Infinity) : row.value.median / value - 1 } };
  });
}

/** "+12 %", "−3.5 %", "0 %": the sign says which way the figure moved, not whether that is good. */
export function formatChange(change: number): string {
  if (!Number.isFinite(change)) return "–";
  const pct = change * 100;
  const digits = Math.abs(pct) < 10 && pct !== 0 ? 1 : 0;
  const text = Math.abs(pct).toFixed(digits);
  if (Number(text) === 0) return "0 %";
  return `${pct > 0 ? "+" : "−"}${text} %`;
}

/**
 * The newest results file in `dir` from a run in the same mode, to compare with by default.
 * Files that cannot be read as results are passed over, not fatal: the bench still runs.
 */
/**
 * The newest run of `mode` that measured every section of `sections` (all of them when
 * null), so a run of one section does not become the baseline of a full run; when no run
 * measured them all, the newest of those that measured the most of them.
 */
export function latestResults(dir: string, mode: string, sections: readonly string[] | null = null): { file: string; results: Results } | null {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => /^\d{4}-\d\d-\d\dT[\d-]+Z\.json$/.test(name));
  } catch {
    return null;
  }
  let best: { file: string; results: Results; covered: number } | null = null;
  for (const name of names.sort().reverse()) {
    const file = path.join(dir, name);
    const results = readResults(file);
    if (results?.mode !== mode) continue;
    if (sections === null) return { file, results };
    const measured = Object.keys(results.sections ?? {});
    const covered = sections.filter((id) => measured.includes(id)).length;
    if (covered === sections.length) return { file, results };
    if (covered > 0 && (best === null || covered > best.covered)) best = { file, results, covered };
  }
  return best && { file: best.file, results: best.results };
}

export function readResults(file: string): Results | null {
  try {
    const results = JSON.parse(readFileSync(file, "utf8")) as Results;
    return Array.isArray(results.rows) ? results : null;
  } catch {
    return null;
  }
}

function cells(row: Row, showBaseline: boolean): string[] {
  const { median, min, max, n } = row.value;
  const range = n > 1 ? `${formatNumber(min)}–${formatNumber(max)}` : "";
  const refs = row.references ?? [];
  const baseline = showBaseline ? [row.baseline ? formatNumber(row.baseline.value) : "", row.baseline ? formatChange(row.baseline.change) : ""] : [];
  return [
    row.figure,
    `${formatNumber(median)} ${row.unit}`.trim(),
    range,
    ...baseline,
    refs.map((r) => `${r.name} ${formatNumber(r.value)}`).join(", "),
    refs.map((r) => (Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}×` : "–")).join(", "),
    row.budget?.text ?? "",
    row.budget ? (row.budget.met ? "met" : "NOT MET") : "",
  ];
}

/** A plain-text table, one block per section; notes follow their section. Baseline columns appear when a row has one. */
export function formatTable(rows: readonly Row[]): string {
  const showBaseline = rows.some((r) => r.baseline);
  const header = ["figure", "median", "min–max", ...(showBaseline ? ["baseline", "change"] : []), "reference", "ratio", "budget", ""];
  const table = [header, ...rows.map((r) => cells(r, showBaseline))];
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  const out: string[] = [line(header), widths.map((w) => "─".repeat(w)).join("  ")];
  let section = "";
  for (const row of rows) {
    if (row.section !== section) {
      section = row.section;
      out.push(`[${section}]`);
    }
    out.push(line(cells(row, showBaseline)));
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

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { formatChange, formatNumber, formatTable, latestResults, withBaseline } from "./report";

test("formatNumber keeps three significant digits and whole counts whole", () => {
  const cases: [number, string][] = [
    [NaN, "–"],
    [0, "0"],
    [3, "3"],
    [72, "72"],
    [16.66, "16.7"],
    [1.234, "1.23"],
    [0.0456, "0.046"],
    [250.4, "250"],
    [12_345, "12.3k"],
    [999_000, "999k"],
    [1_234_567, "1.23M"],
  ];
  for (const [x, expected] of cases) assert.equal(formatNumber(x), expected, String(x));
});

test("formatTable prints a section header, the figure, its references and whether the budget is met", () => {
  const table = formatTable([
    {
      section: "brokers",
      figure: "fan-in msg/s",
      unit: "msg/s",
      value: { median: 9000, min: 8000, max: 9500, n: 3 },
      references: [{ name: "aedes", value: 10_000, ratio: 0.9 }],
      budget: { text: "≥ 0.9 × aedes", met: true },
    },
    { section: "memory", figure: "RSS idle", unit: "MB", value: { median: 200, min: 200, max: 200, n: 1 }, note: "why" },
  ]);
  const lines = table.split("\n");
  assert.match(lines[0], /^figure\s+median\s+min–max\s+reference\s+ratio\s+budget$/);
  assert.equal(lines[2], "[brokers]");
  assert.match(lines[3], /^fan-in msg\/s\s+9000 msg\/s\s+8000–9500\s+aedes 10\.0k\s+0\.90×\s+≥ 0\.9 × aedes\s+met$/);
  assert.equal(lines[4], "[memory]");
  assert.match(lines[5], /^RSS idle\s+200 MB$/);
  assert.equal(lines[6], "    why");
});

test("withBaseline pairs figures by section and name, and formatTable shows the baseline and the change", () => {
  const row = (figure: string, median: number) => ({ section: "memory", figure, unit: "MB", value: { median, min: median, max: median, n: 1 } });
  const rows = withBaseline([row("RSS idle", 150), row("RSS with 1000 idle devices", 199), row("new figure", 5)], [
    row("RSS idle", 200),
    row("RSS with 1000 idle devices", 199),
    { ...row("RSS idle", 1), section: "another section" },
  ]);
  assert.deepEqual(
    rows.map((r) => r.baseline),
    [{ value: 200, change: -0.25 }, { value: 199, change: 0 }, undefined],
  );
  const lines = formatTable(rows).split("\n");
  assert.match(lines[0], /^figure\s+median\s+min–max\s+baseline\s+change\s+reference\s+ratio\s+budget$/);
  assert.match(lines[3], /^RSS idle\s+150 MB\s+200\s+−25 %$/);
  assert.match(lines[4], /^RSS with 1000 idle devices\s+199 MB\s+199\s+0 %$/);
  assert.match(lines[5], /^new figure\s+5 MB$/);
});

test("formatChange signs the change and keeps one decimal under ten per cent", () => {
  const cases: [number, string][] = [
    [0.123, "+12 %"],
    [-0.035, "−3.5 %"],
    [0, "0 %"],
    [0.0001, "0 %"],
    [Infinity, "–"],
  ];
  for (const [x, expected] of cases) assert.equal(formatChange(x), expected, String(x));
});

test("latestResults takes the newest run of the same mode and passes over other files", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-results-"));
  try {
    const write = (name: string, body: unknown) => writeFileSync(path.join(dir, name), typeof body === "string" ? body : JSON.stringify(body));
    write("2026-11-01T10-00-00-000Z.json", { startedAt: "a", mode: "quick", rows: [] });
    write("2026-11-02T10-00-00-000Z.json", { startedAt: "b", mode: "full", rows: [] });
    write("2026-11-03T10-00-00-000Z.json", "{ not json");
    write("history-2026-11-04T10-00-00.000Z.json", { startedAt: "c", mode: "quick", rows: [] });
    assert.equal(latestResults(dir, "quick")?.results.startedAt, "a");
    assert.equal(latestResults(dir, "full")?.results.startedAt, "b");
    assert.equal(latestResults(dir, "tiny"), null);
    assert.equal(latestResults(path.join(dir, "missing"), "quick"), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("latestResults passes over a newer run that did not measure every section asked for", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-results-"));
  try {
    const write = (name: string, sections: string[]) =>
      writeFileSync(path.join(dir, name), JSON.stringify({ startedAt: name, mode: "full", rows: [], sections: Object.fromEntries(sections.map((id) => [id, {}])) }));
    write("2026-11-01T10-00-00-000Z.json", ["pixels", "brokers", "stall"]);
    write("2026-11-02T10-00-00-000Z.json", ["stall"]);
    assert.equal(latestResults(dir, "full", ["stall"])?.results.startedAt, "2026-11-02T10-00-00-000Z.json");
    assert.equal(latestResults(dir, "full", ["pixels", "stall"])?.results.startedAt, "2026-11-01T10-00-00-000Z.json");
    assert.equal(latestResults(dir, "full", ["memory"]), null);
    // None measured pixels and memory both: the newest of those with the most of them.
    assert.equal(latestResults(dir, "full", ["pixels", "memory"])?.results.startedAt, "2026-11-01T10-00-00-000Z.json");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { formatNumber, formatTable } from "./report";

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

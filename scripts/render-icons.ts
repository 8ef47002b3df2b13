// Renders the PWA icons in public/icons/ once; the PNGs are committed, so builds need
// no image tool. Re-run after changing the artwork: `node --import tsx scripts/render-icons.ts`
// (uses Playwright with Debian's chromium, as the e2e tests do).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { chromium } from "@playwright/test";

const HOUSE = `<path d="M32 12 12 30h6v20h10V38h8v12h10V30h6Z" fill="#fff7ed"/>`;
/** The regular icon: a rounded tile, as app/icon.svg. */
const ANY = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#b4410f"/>${HOUSE}</svg>`;
/** Maskable: full-bleed background, the house inside the central 80 % safe zone. */
const MASKABLE = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" fill="#b4410f"/><g transform="translate(32 32) scale(0.6) translate(-32 -31)">${HOUSE}</g></svg>`;

const OUT = path.resolve(import.meta.dirname, "../public/icons");
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
for (const [name, svg, size] of [
  ["icon-192.png", ANY, 192],
  ["icon-512.png", ANY, 512],
  ["maskable-512.png", MASKABLE, 512],
] as const) {
  const page = await browser.newPage({ viewport: { width: size, height: size } });
  await page.setContent(`<style>*{margin:0}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`);
  writeFileSync(path.join(OUT, name), await page.screenshot({ omitBackground: true }));
  await page.close();
}
await browser.close();

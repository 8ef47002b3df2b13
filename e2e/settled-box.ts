// An element's box once it holds still. A box read once can be stale or null: a chart
// mounts its surface twice while recharts measures the axes (the y axis's width moves the
// plot), and a replaced element has no box at all (Locator.boundingBox() resolves the
// element, then measures it in a second call). A person drags where the chart has settled.
import { expect, type Locator } from "@playwright/test";

type Box = { x: number; y: number; width: number; height: number };

/** The box of `locator`, once two reads in a row agree. */
export async function settledBox(locator: Locator): Promise<Box> {
  let last: Box | null = null;
  await expect
    .poll(async () => {
      const box = await locator.boundingBox({ timeout: 1000 }).catch(() => null);
      const same = box !== null && last !== null && JSON.stringify(box) === JSON.stringify(last);
      last = box;
      return same;
    })
    .toBe(true);
  return last!;
}

/**
 * The width of `locator`'s element once two reads in a row agree, from its own client rectangle:
 * unlike boundingBox(), it has one for an element zero pixels high (a flat chart line).
 */
export async function settledWidth(locator: Locator): Promise<number> {
  let last: number | null = null;
  await expect
    .poll(async () => {
      const width = await locator.evaluate((el) => el.getBoundingClientRect().width, undefined, { timeout: 1000 }).catch(() => null);
      const same = width !== null && width > 0 && width === last;
      last = width;
      return same;
    })
    .toBe(true);
  return last!;
}

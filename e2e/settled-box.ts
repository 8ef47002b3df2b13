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

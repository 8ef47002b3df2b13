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
 * Where `locator`'s element starts and how wide it is, once two reads in a row agree, from its
 * own client rectangle: unlike boundingBox(), it has one for an element zero pixels high (a
 * flat chart line).
 */
export async function settledSpan(locator: Locator): Promise<{ x: number; width: number }> {
  let last: { x: number; width: number } | null = null;
  await expect
    .poll(async () => {
      const span = await locator
        .evaluate((el) => ({ x: el.getBoundingClientRect().x, width: el.getBoundingClientRect().width }), undefined, { timeout: 1000 })
        .catch(() => null);
      const same = span !== null && span.width > 0 && last !== null && span.x === last.x && span.width === last.width;
      last = span;
      return same;
    })
    .toBe(true);
  return last!;
}

/** The width of `locator`'s element once it holds still (settledSpan). */
export async function settledWidth(locator: Locator): Promise<number> {
  return (await settledSpan(locator)).width;
}

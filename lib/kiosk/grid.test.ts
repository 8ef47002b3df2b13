import assert from "node:assert/strict";
import { test } from "node:test";
import { gridLayout, roomTile } from "./grid";

const TILE = { minWidth: 280, minHeight: 220 };

test("the demo's seven rooms fit a 1280 × 800 tablet on one page", () => {
  // 1280 × 800 less the padding, the clock and the status line.
  const layout = gridLayout(7, { width: 1232, height: 600, gap: 16 }, TILE);
  assert.deepEqual(layout, { columns: 4, rows: 2, perPage: 8, pages: 1 });
});

test("few rooms get large tiles in one row", () => {
  assert.deepEqual(gridLayout(3, { width: 1232, height: 600, gap: 16 }, TILE), { columns: 3, rows: 1, perPage: 8, pages: 1 });
  assert.deepEqual(gridLayout(1, { width: 1232, height: 600, gap: 16 }, TILE), { columns: 1, rows: 1, perPage: 8, pages: 1 });
});

test("more rooms than fit are paged, never scrolled", () => {
  assert.deepEqual(gridLayout(20, { width: 1232, height: 600, gap: 16 }, TILE), { columns: 4, rows: 2, perPage: 8, pages: 3 });
  // A phone held upright: one column, pages of two.
  assert.deepEqual(gridLayout(7, { width: 358, height: 600, gap: 16 }, TILE), { columns: 1, rows: 2, perPage: 2, pages: 4 });
});

test("a tile is tall enough for its room's toggles: rooms with more switches get fewer, taller tiles", () => {
  // The demo: two toggles at most (Kitchen, Living room) still fit one 1280 × 800 page.
  assert.deepEqual(gridLayout(7, { width: 1232, height: 592, gap: 16 }, roomTile(2)), { columns: 4, rows: 2, perPage: 8, pages: 1 });
  // Five switches in a room: one row of tiles, pages of four.
  assert.deepEqual(gridLayout(7, { width: 1232, height: 592, gap: 16 }, roomTile(5)), { columns: 4, rows: 1, perPage: 4, pages: 2 });
  assert.ok(roomTile(1).minHeight < roomTile(2).minHeight);
});

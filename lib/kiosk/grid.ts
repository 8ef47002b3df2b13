// How the wall display lays its rooms out (issue 15): every room on one screen when
// they fit at a readable size, else pages of as many as fit. Nothing on the wall
// scrolls, so nothing is out of sight and the idle return has nothing to scroll back.

export type GridBox = { width: number; height: number; gap: number };
/** The smallest room tile that still reads from across the room. */
export type TileSize = { minWidth: number; minHeight: number };
export type GridLayout = { columns: number; rows: number; perPage: number; pages: number };

/**
 * The smallest tile for rooms with up to `devices` toggles: its name, its key reading
 * large, and every toggle whole (issue 15: at 1280 × 800 a fixed 220 px cut the
 * Kitchen's and Living room's second switch). Other readings show only where room is
 * left (components/kiosk/kiosk-room.tsx); the room opened full-screen has them all.
 */
export function roomTile(devices: number): TileSize {
  // Padding 24 + name 44 (a touch target) + key reading 92 (its label and 60 px figure).
  const base = 160;
  // A row is the 44 px toggle and a 1 px divider.
  const row = 45;
  return { minWidth: 280, minHeight: base + row * devices };
}

/** How many `min`-sized tiles fit along `length` with `gap` between them (at least one). */
const fit = (length: number, min: number, gap: number) => Math.max(1, Math.floor((length + gap) / (min + gap)));

/**
 * Columns and rows for `count` rooms: as few rows as the width allows, the tiles as
 * large as the screen leaves them; pages when more rooms than fit.
 */
export function gridLayout(count: number, box: GridBox, tile: TileSize): GridLayout {
  const maxColumns = fit(box.width, tile.minWidth, box.gap);
  const maxRows = fit(box.height, tile.minHeight, box.gap);
  const perPage = maxColumns * maxRows;
  const shown = Math.max(1, Math.min(count, perPage));
  const rows = Math.min(maxRows, Math.ceil(shown / maxColumns));
  const columns = Math.ceil(shown / rows);
  return { columns, rows, perPage, pages: Math.max(1, Math.ceil(count / perPage)) };
}

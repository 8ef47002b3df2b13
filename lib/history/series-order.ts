// A chart's series are read at once (PostgreSQL answers them in parallel) but written one
// after another (series-json.ts): this hands each series to the one writer in topic order.
// A series whose turn it is goes straight through; one read ahead of its turn is held as
// plain numbers until its turn comes. SQLite's reads run one at a time, each to its end
// before the next starts, so with it nothing is ever held.
import type { SeriesHead, SeriesSink } from "./store";

/** A series read ahead of its turn: its head and its points, four numbers each. */
type Held = { head: SeriesHead | null; points: number[] };

export type SeriesInOrder = {
  /** Where the i-th series' reader hands its head and points. */
  sink(i: number): SeriesSink;
  /** The i-th series has been read to its end. */
  done(i: number): void;
};

export function seriesInOrder(out: SeriesSink, count: number): SeriesInOrder {
  let turn = 0;
  const finished: boolean[] = new Array(count).fill(false);
  const headed: boolean[] = new Array(count).fill(false);
  const held: (Held | null)[] = new Array(count).fill(null);

  const release = (i: number) => {
    const h = held[i];
    held[i] = null;
    if (h === null) return;
    if (h.head !== null) out.head(h.head);
    const p = h.points;
    for (let k = 0; k < p.length; k += 4) out.point(p[k], p[k + 1], p[k + 2], p[k + 3]);
  };

  return {
    sink: (i) => ({
      head(head) {
        headed[i] = true;
        if (i === turn) out.head(head);
        else held[i] = { head, points: [] };
      },
      point(t, v, min, max) {
        if (i === turn) out.point(t, v, min, max);
        else held[i]!.points.push(t, v, min, max);
      },
    }),
    done(i) {
      // Without a head the answer would not say which series the next points belong to.
      if (!headed[i]) throw new Error("history: a store's readSeries ended without a head");
      finished[i] = true;
      while (turn < count && finished[turn]) {
        turn++;
        if (turn < count) release(turn);
      }
    },
  };
}

/**
 * Where the Stream Monitor's panes go: a grid that adapts to the number of streams and the
 * terminal size. Pure arithmetic, no neo-blessed.
 * @module
 */

/** One pane's rectangle, in cells relative to the grid's area. */
export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The grid chosen for some panes. */
export interface GridLayout {
  cols: number;
  rows: number;
  /** Indexes (into the pane list) of the panes shown, in order. */
  shown: number[];
  rects: Rect[];
}

/** Smallest useful pane (border included). */
export const MIN_PANE_WIDTH = 20;
/** Smallest useful pane height (border, title line, 2 lines of output). */
export const MIN_PANE_HEIGHT = 5;

/**
 * Choose a grid for `count` panes in `width`×`height` cells. When they cannot all fit at the
 * minimum size, show the largest page of panes that does, around the focused one.
 */
export function gridLayout(count: number, width: number, height: number, focus = 0): GridLayout {
  if (count <= 0 || width <= 0 || height <= 0) return { cols: 0, rows: 0, shown: [], rects: [] };
  const maxCols = Math.max(1, Math.floor(width / MIN_PANE_WIDTH));
  const maxRows = Math.max(1, Math.floor(height / MIN_PANE_HEIGHT));
  const capacity = maxCols * maxRows;
  const n = Math.min(count, capacity);
  let best = { cols: 1, rows: n, score: -Infinity };
  for (let cols = 1; cols <= Math.min(n, maxCols); cols++) {
    const rows = Math.ceil(n / cols);
    if (rows > maxRows) continue;
    const w = width / cols;
    const h = height / rows;
    // Cells are about twice as tall as wide, and log lines are long: favour wide panes a bit.
    const score = Math.min(w / 3, h) - (cols * rows - n) * 0.01;
    if (score > best.score) best = { cols, rows, score };
  }
  const { cols, rows } = best;
  const start = n === count ? 0 : Math.min(Math.max(0, focus - Math.floor(n / 2)), count - n);
  const shown = Array.from({ length: n }, (_, i) => start + i);
  const rects: Rect[] = [];
  for (let i = 0; i < n; i++) {
    const r = Math.floor(i / cols);
    const c = i % cols;
    // The last row may hold fewer panes: they share its full width.
    const inRow = r === rows - 1 ? n - cols * (rows - 1) : cols;
    const left = Math.floor((c * width) / inRow);
    const right = Math.floor(((c + 1) * width) / inRow);
    const top = Math.floor((r * height) / rows);
    const bottom = Math.floor(((r + 1) * height) / rows);
    rects.push({ left, top, width: right - left, height: bottom - top });
  }
  return { cols, rows, shown, rects };
}

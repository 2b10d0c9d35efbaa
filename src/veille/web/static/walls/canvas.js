// The geometry of a wall's canvas: C × R screens of 12 × 12 cells; widget coordinates are cells on
// the whole canvas. A screen page renders the whole canvas at its screen's size, shifted so that
// its own screen fills the window, and clips the rest: a widget spanning a border is drawn whole
// on each screen it touches, so its halves meet exactly across the bezel. Only the widgets that
// touch the screen are mounted (a screen does not load the others' data).
export const CELLS = 12;

/** Screen n (1-based, row by row) of a C × R wall: its column and row (0-based). */
export function screenPosition(screens, n) {
  const columns = screens.columns;
  return { column: (n - 1) % columns, row: Math.floor((n - 1) / columns) };
}

/** The cells a screen covers on the canvas: {x0, y0, x1, y1} (x1, y1 exclusive). */
export function screenCells(screens, n) {
  const { column, row } = screenPosition(screens, n);
  return { x0: column * CELLS, y0: row * CELLS, x1: (column + 1) * CELLS, y1: (row + 1) * CELLS };
}

/** Does a widget touch the screen? (null screen: the whole canvas, every widget.) */
export function touches(widget, screens, n) {
  if (!n) return true;
  const cells = screenCells(screens, n);
  return widget.x < cells.x1 && widget.x + widget.w > cells.x0 && widget.y < cells.y1 && widget.y + widget.h > cells.y0;
}

/**
 * Pixel sizes for a window of ``width`` × ``height``: one screen's size (the window for a screen
 * page, a C-th and an R-th of it for the whole canvas), the canvas's offset, a cell's size, and
 * the scale widgets are drawn at (a 1080-pixel-high screen draws them twice their desk size,
 * a 4K screen 3.2 times: legible at five metres).
 */
export function layout(screens, n, width, height) {
  const screenW = n ? width : width / screens.columns;
  const screenH = n ? height : height / screens.rows;
  const position = n ? screenPosition(screens, n) : { column: 0, row: 0 };
  return {
    screenW,
    screenH,
    cellW: screenW / CELLS,
    cellH: screenH / CELLS,
    offsetX: -position.column * screenW,
    offsetY: -position.row * screenH,
    scale: pixelScale(screenH),
  };
}

/** How much larger than on a desk a screen ``screenH`` pixels high draws widgets. */
export function pixelScale(screenH) {
  return Math.max(0.35, (screenH / 1080) * 2);
}

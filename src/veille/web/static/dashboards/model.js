// A dashboard as the page holds it: the API's document, each widget with a key of its own (the
// grid's id), and back. Pure functions: the browser tests import them.

let counter = 0;

export function withKeys(widgets) {
  return (widgets || []).map((widget) => ({ ...widget, key: `w${(counter += 1)}` }));
}

/** The API's body: {name, description, filters, visibility, widgets: [{type, title, x, y, w, h, options}]}. */
export function toDocument(dashboard, filters, widgets) {
  return {
    name: dashboard.name,
    description: dashboard.description || "",
    visibility: dashboard.visibility || "organisation",
    filters,
    widgets: widgets.map(({ type, title, x, y, w, h, options }) => ({ type, title: title || "", x, y, w, h, options: options || {} })),
  };
}

/** Widgets in reading order: rows top to bottom, then left to right (the report's order). */
export function readingOrder(widgets) {
  return widgets.slice().sort((a, b) => a.y - b.y || a.x - b.x);
}

/** Where a new widget of width ``w`` goes: under everything. */
export function nextSlot(widgets) {
  return { x: 0, y: widgets.reduce((bottom, widget) => Math.max(bottom, widget.y + widget.h), 0) };
}

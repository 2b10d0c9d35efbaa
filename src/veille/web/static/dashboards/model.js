// A dashboard as the page holds it: the API's document, each widget with a key of its own (the
// grid's id), and back. Pure functions (but shareDashboard, which asks the API): the browser tests
// import them.
import { api } from "veille/api.js";

let counter = 0;

export function withKeys(widgets) {
  return (widgets || []).map((widget) => ({ ...widget, key: `w${(counter += 1)}` }));
}

/** The API's body: {name, description, filters, visibility, owner_team, widgets: [{type, title, x, y, w, h, options}]}. */
export function toDocument(dashboard, filters, widgets) {
  return {
    name: dashboard.name,
    description: dashboard.description || "",
    visibility: dashboard.visibility || "organisation",
    owner_team: dashboard.owner_team || null,
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

/** Change a dashboard's sharing only: the rest of its document is sent as it is stored. */
export function shareDashboard(dashboard, sharing) {
  return api.put(`/api/v1/dashboards/${dashboard.id}`, { ...toDocument(dashboard, dashboard.filters, dashboard.widgets), ...sharing });
}
